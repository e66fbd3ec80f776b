package verify

import (
	"cmp"
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
const MaxRegions = 1 << 16

// MaxPairs bounds the number of pairs of program paths Diff explores,
// which bounds its time (seconds at most) on programs whose paths
// multiply; compilers' programs for Docker's profile have a few hundred.
const MaxPairs = 1 << 16

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
		if st.Pairs > MaxPairs {
			return fmt.Errorf("%w: more than %d pairs of program paths", ErrTooComplex, MaxPairs)
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
		if st.PathsA > MaxPairs {
			return fmt.Errorf("%w: more than %d program paths", ErrTooComplex, MaxPairs)
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
	return mergeRegions(out), st, nil
}

// maxMergedExcept bounds the exceptions a merged word set may have.
const maxMergedExcept = 64

// mergeRegions joins regions with the same decisions whose words are
// equal but for one of the instruction pointer and argument words, when
// the union of that word's sets is itself a WordSet with few exceptions:
// path pairs often cut an argument's range at values neither program
// treats apart.
func mergeRegions(rs []Region) []Region {
	enc := make([][NumWords][]byte, len(rs))
	for i := range rs {
		for w := range rs[i].Words {
			enc[i][w] = appendWordSet(nil, &rs[i].Words[w], false)
		}
	}
	var key []byte
	for changed := true; changed; {
		changed = false
		for j := bpf.OffsetInstructionPointer / 4; j < NumWords; j++ {
			index := map[string]int{}
			kept, keptEnc := rs[:0:0], enc[:0:0]
			for n := range rs {
				r := &rs[n]
				key = binary.LittleEndian.AppendUint32(key[:0], r.A)
				key = binary.LittleEndian.AppendUint32(key, r.B)
				for w := range r.Words {
					if w == j {
						key = appendWordSet(key, &r.Words[w], true)
					} else {
						key = append(key, enc[n][w]...)
					}
				}
				if i, ok := index[string(key)]; ok {
					if u, ok := unionWords(kept[i].Words[j], r.Words[j]); ok {
						kept[i].Words[j] = u
						keptEnc[i][j] = appendWordSet(nil, &u, false)
						changed = true
						continue
					}
				}
				index[string(key)] = len(kept)
				kept = append(kept, *r)
				keptEnc = append(keptEnc, enc[n])
			}
			rs, enc = kept, keptEnc
		}
	}
	return rs
}

// appendWordSet appends an encoding of s, or with maskedOnly of its
// masked conditions alone, to b.
func appendWordSet(b []byte, s *WordSet, maskedOnly bool) []byte {
	le := binary.LittleEndian
	if !maskedOnly {
		b = le.AppendUint32(b, s.Lo)
		b = le.AppendUint32(b, s.Hi)
		b = le.AppendUint32(b, uint32(len(s.Except)))
		for _, x := range s.Except {
			b = le.AppendUint32(b, x)
		}
	}
	b = le.AppendUint32(b, uint32(len(s.Masked)))
	for _, c := range s.Masked {
		b = le.AppendUint32(b, c.Mask)
		b = le.AppendUint32(b, c.Value)
		b = append(b, c.Op...)
		b = append(b, 0)
	}
	return b
}

// unionWords returns the union of two word sets with the same masked
// conditions, if it is a WordSet with at most maxMergedExcept
// exceptions.
func unionWords(x, y WordSet) (WordSet, bool) {
	iv := append(wordIntervals(x), wordIntervals(y)...)
	slices.SortFunc(iv, func(a, b [2]uint64) int { return cmp.Compare(a[0], b[0]) })
	u := WordSet{Lo: uint32(iv[0][0]), Masked: x.Masked}
	end := iv[0][1]
	for _, v := range iv[1:] {
		if v[0] > end+1 {
			if v[0]-end-1+uint64(len(u.Except)) > maxMergedExcept {
				return WordSet{}, false
			}
			for e := end + 1; e < v[0]; e++ {
				u.Except = append(u.Except, uint32(e))
			}
		}
		end = max(end, v[1])
	}
	u.Hi = uint32(end)
	return u, true
}

// wordIntervals returns the values of s's range minus its exceptions as
// closed intervals.
func wordIntervals(s WordSet) [][2]uint64 {
	var out [][2]uint64
	lo := uint64(s.Lo)
	for _, x := range s.Except {
		if uint64(x) > lo {
			out = append(out, [2]uint64{lo, uint64(x) - 1})
		}
		lo = uint64(x) + 1
	}
	if lo <= uint64(s.Hi) {
		out = append(out, [2]uint64{lo, uint64(s.Hi)})
	}
	return out
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
