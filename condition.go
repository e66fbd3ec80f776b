package seccomp

import (
	"errors"
	"fmt"
)

// compareOpNames holds String's description of each operator, indexed by
// its value.
var compareOpNames = [...]string{
	CompareInvalid:      "Invalid comparison operator",
	CompareNotEqual:     "Not equal",
	CompareLess:         "Less than",
	CompareLessOrEqual:  "Less than or equal to",
	CompareEqual:        "Equal",
	CompareGreaterEqual: "Greater than or equal to",
	CompareGreater:      "Greater than",
	CompareMaskedEqual:  "Masked equality",
}

// String returns a description of the operator.
func (a ScmpCompareOp) String() string {
	if a < ScmpCompareOp(len(compareOpNames)) {
		return compareOpNames[a]
	}
	return fmt.Sprintf("Unrecognized comparison operator %#x", uint(a))
}

// valid reports whether a is one of the operators a rule may use, from
// CompareNotEqual to CompareMaskedEqual.
func (a ScmpCompareOp) valid() bool {
	// CompareInvalid wraps around to the largest value
	return a-CompareNotEqual <= CompareMaskedEqual-CompareNotEqual
}

// sanitizeCompareOp refuses an operator that is not valid.
func sanitizeCompareOp(in ScmpCompareOp) error {
	if in.valid() {
		return nil
	}
	return fmt.Errorf("unrecognized comparison operator %#x", uint(in))
}

// toNative returns libseccomp's number for the operator (enum
// scmp_compare), 0 for an unknown one; a rule with 0 is refused.
func (a ScmpCompareOp) toNative() int {
	if !a.valid() {
		return 0
	}
	// the constants follow libseccomp's numbering: NE 1 ... MASKED_EQ 7
	return int(a)
}

// maxArgs is the number of arguments a syscall has.
const maxArgs = 6

// MakeCondition returns a condition on argument arg (0 to 5) of a
// syscall: the argument compared with values[0] by comparison, or for
// CompareMaskedEqual, the argument masked with values[0] compared with
// values[1].
//
// The operator is checked first, then the argument, then the number of
// values (one or two).
//
// On a 32-bit architecture only the low 32 bits of the argument and of the
// values are compared; on a 64-bit one, all 64 bits. Values are used as
// given, never sign-extended, so on a 64-bit architecture a negative int
// argument written as uint64(int64(-1)) and one written as
// uint64(uint32(0xffffffff)) are different conditions.
func MakeCondition(arg uint, comparison ScmpCompareOp, values ...uint64) (ScmpCondition, error) {
	if err := sanitizeCompareOp(comparison); err != nil {
		return ScmpCondition{}, err
	}
	if arg >= maxArgs {
		return ScmpCondition{}, fmt.Errorf("syscalls only have up to %d arguments (%d given)", maxArgs, arg)
	}
	var operands [2]uint64
	switch n := copy(operands[:], values); {
	case n == 0:
		return ScmpCondition{}, errors.New("must provide at least one value to compare against")
	case len(values) > n:
		return ScmpCondition{}, fmt.Errorf("conditions can have at most %d arguments (%d given)", n, len(values))
	}
	return ScmpCondition{Argument: arg, Op: comparison, Operand1: operands[0], Operand2: operands[1]}, nil
}
