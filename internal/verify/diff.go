package verify

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/model"
)

// NumWords is the number of 32-bit words in struct seccomp_data. A
// [Region] constrains each of them; word i is the one at offset 4*i:
// word 0 is the syscall number, word 1 the architecture token, words 2
// and 3 the instruction pointer and words 4+2n and 5+2n argument n, low
// half first on little-endian architectures and high half first on
// big-endian ones.
const NumWords = numOffsetWords

// MaxRegions bounds the number of regions Diff reports.
const MaxRegions = 1 << 18

// A Cond is the condition word&Mask Op Value on one 32-bit word, where Op
// is one of "==", "!=", ">", "<=", ">=" and "<".
type Cond struct {
	Mask  uint32 `json:"mask"`
	Op    string `json:"op"`
	Value uint32 `json:"value"`
}

// Holds reports whether v satisfies c.
func (c Cond) Holds(v uint32) bool {
	v &= c.Mask
	switch c.Op {
	case "==":
		return v == c.Value
	case "!=":
		return v != c.Value
	case ">":
		return v > c.Value
	case "<=":
		return v <= c.Value
	case ">=":
		return v >= c.Value
	case "<":
		return v < c.Value
	}
	return false
}

func condOf(a atom) Cond {
	ops := map[model.Rel][2]string{model.EQ: {"==", "!="}, model.GT: {">", "<="}, model.GE: {">=", "<"}}
	op := ops[a.rel][0]
	if a.neg {
		op = ops[a.rel][1]
	}
	return Cond{Mask: a.mask, Op: op, Value: a.k}
}

// A WordSet is the set of values one 32-bit word takes in a region: the
// values v with Lo <= v <= Hi, v not in Except, for which every one of
// Masked holds. It is never empty.
type WordSet struct {
	Lo     uint32   `json:"lo"`
	Hi     uint32   `json:"hi"`
	Except []uint32 `json:"except,omitempty"` // sorted, each within [Lo, Hi]
	Masked []Cond   `json:"masked,omitempty"`
}

// Any reports whether s holds every 32-bit value.
func (s WordSet) Any() bool {
	return s.Lo == 0 && s.Hi == fullMask && len(s.Except) == 0 && len(s.Masked) == 0
}

// Fixed reports whether s holds exactly one value, and returns it.
func (s WordSet) Fixed() (uint32, bool) {
	return s.Lo, s.Lo == s.Hi
}

// Contains reports whether v is in s.
func (s WordSet) Contains(v uint32) bool {
	if v < s.Lo || v > s.Hi {
		return false
	}
	if _, found := slices.BinarySearch(s.Except, v); found {
		return false
	}
	for _, c := range s.Masked {
		if !c.Holds(v) {
			return false
		}
	}
	return true
}

func wordSetOf(w wordSet) WordSet {
	s := WordSet{Lo: w.lo, Hi: w.hi, Except: slices.Clone(w.ne)}
	for _, a := range w.atoms {
		if c := condOf(a); !slices.Contains(s.Masked, c) {
			s.Masked = append(s.Masked, c)
		}
	}
	return s
}

// A Region is a set of inputs, the product of one WordSet per word of
// struct seccomp_data, on which one program returns A and the other B.
type Region struct {
	Words [NumWords]WordSet
	A, B  uint32 // the return values of the two programs
	// Witness is an input in the region, as the words of struct
	// seccomp_data.
	Witness [NumWords]uint32
}

// Contains reports whether the input with the given words is in r.
func (r *Region) Contains(words [NumWords]uint32) bool {
	for i, s := range r.Words {
		if !s.Contains(words[i]) {
			return false
		}
	}
	return true
}

// Words returns the words of d laid out in byte order order, as a
// program run with that order reads them.
func Words(d bpf.Data, order binary.ByteOrder) [NumWords]uint32 {
	var raw [bpf.SizeofData]byte
	order.PutUint32(raw[bpf.OffsetNr:], uint32(d.Nr))
	order.PutUint32(raw[bpf.OffsetArch:], d.Arch)
	order.PutUint64(raw[bpf.OffsetInstructionPointer:], d.InstructionPointer)
	for i, a := range d.Args {
		order.PutUint64(raw[bpf.OffsetArgs+8*i:], a)
	}
	var w [NumWords]uint32
	for i := range w {
		w[i] = order.Uint32(raw[4*i:])
	}
	return w
}

// DataOf is the inverse of Words: the input whose words, laid out in
// byte order order, are w.
func DataOf(w [NumWords]uint32, order binary.ByteOrder) bpf.Data {
	var raw [bpf.SizeofData]byte
	for i, v := range w {
		order.PutUint32(raw[4*i:], v)
	}
	d := bpf.Data{
		Nr:                 int32(order.Uint32(raw[bpf.OffsetNr:])),
		Arch:               order.Uint32(raw[bpf.OffsetArch:]),
		InstructionPointer: order.Uint64(raw[bpf.OffsetInstructionPointer:]),
	}
	for i := range d.Args {
		d.Args[i] = order.Uint64(raw[bpf.OffsetArgs+8*i:])
	}
	return d
}

// DiffStats describes a completed comparison.
type DiffStats struct {
	PathsA int // feasible paths of the first program
	Pairs  int // feasible pairs of paths, one of each program
}

// Diff computes exactly where programs a and b decide differently. It
// walks every feasible path of a symbolically, as [Check] does, and
// within each one every feasible path of b, so that each pair of paths
// is a region of inputs on which both programs are constant. It returns
// the regions where they return different values: they are disjoint,
// and every input outside them gets the same value from both programs.
// Each region's witness is confirmed by running both programs on it.
//
// The byte order the programs are run in does not change the regions,
// which are stated in words of struct seccomp_data: it only decides
// which words are the low and high halves of the 64-bit fields.
func Diff(a, b bpf.Program) ([]Region, DiffStats, error) {
	var st DiffStats
	for _, p := range []bpf.Program{a, b} {
		if len(p) == 0 {
			return nil, st, fmt.Errorf("%w: empty program", ErrUnsupported)
		}
	}
	vmA, errA := bpf.NewVM(a, binary.LittleEndian)
	vmB, errB := bpf.NewVM(b, binary.LittleEndian)
	var out []Region
	var retA uint32
	pb := &prover{prog: b}
	pb.onLeaf = func(c *cons, ret uint32) error {
		st.Pairs++
		if st.Pairs > MaxPaths {
			return fmt.Errorf("%w: more than %d pairs of program paths", ErrTooComplex, MaxPaths)
		}
		if ret == retA {
			return nil
		}
		if len(out) == MaxRegions {
			return fmt.Errorf("%w: more than %d regions differ", ErrTooComplex, MaxRegions)
		}
		r := Region{A: retA, B: ret}
		for i, w := range c {
			v, ok, err := w.witness()
			if err != nil || !ok {
				return fmt.Errorf("%w: no witness for a region (%v)", ErrInternal, err)
			}
			r.Words[i] = wordSetOf(w)
			r.Witness[i] = v
		}
		if err := confirm(&r, vmA, vmB, errA, errB); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}
	pa := &prover{prog: a}
	pa.onLeaf = func(c *cons, ret uint32) error {
		st.PathsA++
		if st.PathsA > MaxPaths {
			return fmt.Errorf("%w: more than %d program paths", ErrTooComplex, MaxPaths)
		}
		retA = ret
		return pb.walk(0, regs{}, c)
	}
	var c cons
	for i := range c {
		c[i] = anyWord
	}
	if err := pa.walk(0, regs{}, &c); err != nil {
		return nil, st, err
	}
	return out, st, nil
}

// confirm runs both programs on r's witness and checks that they return
// r's values. Programs the interpreter refuses are not confirmed.
func confirm(r *Region, vmA, vmB *bpf.VM, errA, errB error) error {
	if errA != nil || errB != nil {
		return nil
	}
	d := DataOf(r.Witness, binary.LittleEndian)
	ga, _, err := vmA.Run(d)
	if err != nil {
		return fmt.Errorf("%w: first program fails on input %+v: %v", ErrUnsupported, d, err)
	}
	gb, _, err := vmB.Run(d)
	if err != nil {
		return fmt.Errorf("%w: second program fails on input %+v: %v", ErrUnsupported, d, err)
	}
	if ga != r.A || gb != r.B {
		return fmt.Errorf("%w: region witness %+v gives %#x and %#x, not %#x and %#x", ErrInternal, d, ga, gb, r.A, r.B)
	}
	return nil
}
