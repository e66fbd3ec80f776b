package seccomp

import (
	"errors"
	"fmt"
)

// Bounds of the valid comparison operators.
const (
	compareOpStart = CompareNotEqual
	compareOpEnd   = CompareMaskedEqual
)

// String returns a description of the operator.
func (a ScmpCompareOp) String() string {
	switch a {
	case CompareNotEqual:
		return "Not equal"
	case CompareLess:
		return "Less than"
	case CompareLessOrEqual:
		return "Less than or equal to"
	case CompareEqual:
		return "Equal"
	case CompareGreaterEqual:
		return "Greater than or equal to"
	case CompareGreater:
		return "Greater than"
	case CompareMaskedEqual:
		return "Masked equality"
	case CompareInvalid:
		return "Invalid comparison operator"
	default:
		return fmt.Sprintf("Unrecognized comparison operator %#x", uint(a))
	}
}

func sanitizeCompareOp(in ScmpCompareOp) error {
	if in < compareOpStart || in > compareOpEnd {
		return fmt.Errorf("unrecognized comparison operator %#x", uint(in))
	}
	return nil
}

// toNative returns libseccomp's number for the operator (enum
// scmp_compare), 0 for an unknown one; a rule with 0 is refused.
func (a ScmpCompareOp) toNative() int {
	if a < compareOpStart || a > compareOpEnd {
		return 0
	}
	// the constants follow libseccomp's numbering: NE 1 ... MASKED_EQ 7
	return int(a)
}

// MakeCondition returns a condition on argument arg (0 to 5) of a
// syscall: the argument compared with values[0] by comparison, or for
// CompareMaskedEqual, the argument masked with values[0] compared with
// values[1].
//
// On a 32-bit architecture only the low 32 bits of the argument and of the
// values are compared; on a 64-bit one, all 64 bits. Values are used as
// given, never sign-extended, so on a 64-bit architecture a negative int
// argument written as uint64(int64(-1)) and one written as
// uint64(uint32(0xffffffff)) are different conditions.
func MakeCondition(arg uint, comparison ScmpCompareOp, values ...uint64) (ScmpCondition, error) {
	var condStruct ScmpCondition

	if err := sanitizeCompareOp(comparison); err != nil {
		return condStruct, err
	} else if arg > 5 {
		return condStruct, fmt.Errorf("syscalls only have up to 6 arguments (%d given)", arg)
	} else if len(values) > 2 {
		return condStruct, fmt.Errorf("conditions can have at most 2 arguments (%d given)", len(values))
	} else if len(values) == 0 {
		return condStruct, errors.New("must provide at least one value to compare against")
	}

	condStruct.Argument = arg
	condStruct.Op = comparison
	condStruct.Operand1 = values[0]
	if len(values) == 2 {
		condStruct.Operand2 = values[1]
	}
	return condStruct, nil
}
