// Package verify proves that a compiled seccomp program decides every
// input exactly as its rule set does.
//
// A seccomp program only ever compares 32-bit words of struct seccomp_data
// (the architecture token, the syscall number, and the halves of the
// instruction pointer and of each argument) with constants, possibly after
// masking them; the rule set's semantic model (package model) does the
// same. [Check] walks every path of the program symbolically, keeping for
// each word the conjunction of the comparisons the path took, and prunes
// paths no input can follow. At each return it runs the model under the
// path's constraints, splitting further on the model's own comparisons,
// so the input space is cut into cells on which both sides are constant.
// Each cell is checked once; a cell where they differ yields a concrete
// input, confirmed by running the program and the model on it.
//
// The proof is exact: each word's constraints are decided by an
// exhaustive search over its bits, not by sampling.
//
// [Diff] uses the same exploration to compare two programs: it walks the
// second within every path of the first and returns the regions of
// inputs on which they return different values.
package verify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
	"github.com/seccomp-go/seccomp/internal/model"
)

// ErrUnsupported is matched by errors for programs that use instructions
// the prover cannot reason about (arithmetic on input words other than
// masking, indirect loads, returning a value computed from the input).
var ErrUnsupported = errors.New("verify: program outside the provable subset")

// ErrTooComplex is matched by errors for programs whose proof would
// exceed the prover's limits.
var ErrTooComplex = errors.New("verify: proof exceeds limits")

// ErrInternal is matched by errors that reveal an inconsistency in the
// prover itself.
var ErrInternal = errors.New("verify: internal error")

// MaxPaths bounds the number of program paths Check explores.
const MaxPaths = 1 << 20

// Mismatch is the error Check returns when the program and the rule set
// disagree. Data is an input on which they differ.
type Mismatch struct {
	Data  bpf.Data
	Order binary.ByteOrder // byte order Data is laid out in
	Want  db.Action        // the rule set's decision
	Got   uint32           // the program's return value
}

func (m *Mismatch) Error() string {
	d := m.Data
	return fmt.Sprintf("verify: program returns %s (%#x), rule set decides %s (%#x) for arch %#x nr %d ip %#x args %#x",
		bpf.ActionString(m.Got), m.Got, bpf.ActionString(uint32(m.Want)), uint32(m.Want),
		d.Arch, d.Nr, d.InstructionPointer, d.Args)
}

// Stats describes a completed proof.
type Stats struct {
	Paths int // feasible program paths
	Cells int // input cells checked (program path × model decision)
}

// Check proves that prog decides every input as the rule set given by
// filters, def and badArch does. It returns nil when it has proved so, a
// *Mismatch when it found an input on which they differ, and another error
// when the rule set is invalid or the program cannot be analysed.
func Check(filters []*db.Filter, def, badArch db.Action, prog bpf.Program) (Stats, error) {
	rs, err := model.New(filters, def, badArch)
	if err != nil {
		return Stats{}, err
	}
	return CheckRuleSet(rs, prog)
}

// CheckRuleSet is like Check for an already validated rule set.
func CheckRuleSet(rs *model.RuleSet, prog bpf.Program) (Stats, error) {
	if len(prog) == 0 {
		return Stats{}, fmt.Errorf("%w: empty program", ErrUnsupported)
	}
	p := &prover{rs: rs, prog: prog, bigEndian: map[uint32]bool{}}
	for _, t := range rs.Tokens() {
		p.bigEndian[t] = rs.Arches(t)[0].BigEndian
	}
	var c cons
	for i := range c {
		c[i] = anyWord
	}
	var st regs
	if err := p.walk(0, st, &c); err != nil {
		return p.stats, err
	}
	return p.stats, nil
}

// prover holds the state of one proof.
type prover struct {
	rs        *model.RuleSet
	prog      bpf.Program
	bigEndian map[uint32]bool
	stats     Stats
	oracle    symOracle // reused by leaf
	// onLeaf, when set, is called at each return instead of leaf; it
	// lets Diff walk a second program within each path of the first.
	onLeaf func(c *cons, ret uint32) error
}

// numOffsetWords is the number of 32-bit words in struct seccomp_data.
const numOffsetWords = bpf.SizeofData / 4

// cons holds the constraints of a path, per 32-bit word of struct
// seccomp_data, indexed by offset/4.
type cons [numOffsetWords]wordSet

// sval is the symbolic value of a register or memory cell.
type sval struct {
	kind uint8  // svUnset, svConst or svWord
	c    uint32 // the constant, or the mask applied to the word
	w    uint8  // the word's offset/4
}

const (
	svUnset uint8 = iota
	svConst
	svWord
)

type regs struct {
	a, x sval
	mem  [bpf.MemWords]sval
}

func (p *prover) unsupported(pc int, why string) error {
	return fmt.Errorf("%w: instruction %d (%v): %s", ErrUnsupported, pc, p.prog[pc], why)
}

// walk explores every feasible path from pc.
func (p *prover) walk(pc int, r regs, c *cons) error {
	for {
		if pc < 0 || pc >= len(p.prog) {
			return fmt.Errorf("%w: control reaches %d, outside the program", ErrUnsupported, pc)
		}
		ins := p.prog[pc]
		op := ins.Op
		switch bpf.Class(op) {
		case bpf.LD, bpf.LDX:
			var v sval
			switch {
			case op == bpf.LD|bpf.W|bpf.ABS:
				if ins.K%4 != 0 || ins.K >= bpf.SizeofData {
					return p.unsupported(pc, "load outside struct seccomp_data")
				}
				v = sval{kind: svWord, c: fullMask, w: uint8(ins.K / 4)}
			case bpf.Mode(op) == bpf.IMM && bpf.Size(op) == bpf.W:
				v = sval{kind: svConst, c: ins.K}
			case bpf.Mode(op) == bpf.LEN && bpf.Size(op) == bpf.W:
				v = sval{kind: svConst, c: bpf.SizeofData}
			case bpf.Mode(op) == bpf.MEM && bpf.Size(op) == bpf.W:
				if ins.K >= bpf.MemWords {
					return p.unsupported(pc, "scratch cell out of range")
				}
				v = r.mem[ins.K]
				if v.kind == svUnset {
					return p.unsupported(pc, "load of an unset scratch cell")
				}
			default:
				return p.unsupported(pc, "load mode")
			}
			if bpf.Class(op) == bpf.LD {
				r.a = v
			} else {
				r.x = v
			}
		case bpf.ST, bpf.STX:
			if ins.K >= bpf.MemWords {
				return p.unsupported(pc, "scratch cell out of range")
			}
			if bpf.Class(op) == bpf.ST {
				r.mem[ins.K] = r.a
			} else {
				r.mem[ins.K] = r.x
			}
		case bpf.ALU:
			v, err := p.alu(pc, r)
			if err != nil {
				return err
			}
			r.a = v
		case bpf.MISC:
			switch op {
			case bpf.MISC | bpf.TAX:
				r.x = r.a
			case bpf.MISC | bpf.TXA:
				r.a = r.x
			default:
				return p.unsupported(pc, "misc operation")
			}
		case bpf.RET:
			var ret uint32
			switch op {
			case bpf.RET | bpf.K:
				ret = ins.K
			case bpf.RET | bpf.A:
				if r.a.kind != svConst {
					return p.unsupported(pc, "return value depends on the input")
				}
				ret = r.a.c
			default:
				return p.unsupported(pc, "return source")
			}
			if p.onLeaf != nil {
				return p.onLeaf(c, ret)
			}
			return p.leaf(c, ret)
		case bpf.JMP:
			if bpf.Operation(op) == bpf.JA {
				if op != bpf.JMP|bpf.JA {
					return p.unsupported(pc, "jump opcode")
				}
				pc += 1 + int(ins.K)
				continue
			}
			k := ins.K
			if bpf.Source(op) == bpf.X {
				if r.x.kind != svConst {
					return p.unsupported(pc, "comparison with an input-dependent X")
				}
				k = r.x.c
			}
			// JSET tests A&K != 0: the complement of A masked with K
			// equal to 0.
			t, mask := atom{k: k}, uint32(fullMask)
			switch bpf.Operation(op) {
			case bpf.JEQ:
				t.rel = model.EQ
			case bpf.JGT:
				t.rel = model.GT
			case bpf.JGE:
				t.rel = model.GE
			case bpf.JSET:
				t.rel, t.k, t.neg, mask = model.EQ, 0, true, k
			default:
				return p.unsupported(pc, "jump opcode")
			}
			jt, jf := pc+1+int(ins.Jt), pc+1+int(ins.Jf)
			switch r.a.kind {
			case svConst:
				if t.rel.Holds(r.a.c, mask, t.k) != t.neg {
					pc = jt
				} else {
					pc = jf
				}
				continue
			case svWord:
			default:
				return p.unsupported(pc, "comparison of an unset accumulator")
			}
			t.mask = r.a.c & mask
			w := r.a.w
			ts, tok, err := c[w].add(t)
			if err != nil {
				return fmt.Errorf("%w: %v", ErrTooComplex, err)
			}
			fs, fok, err := c[w].add(t.not())
			if err != nil {
				return fmt.Errorf("%w: %v", ErrTooComplex, err)
			}
			if !tok && !fok {
				return fmt.Errorf("%w: path constraints became unsatisfiable at %d", ErrInternal, pc)
			}
			if tok && fok && jt == jf {
				pc = jt
				continue
			}
			saved := c[w]
			if tok {
				c[w] = ts
				err = p.walk(jt, r, c)
			}
			if fok && err == nil {
				c[w] = fs
				err = p.walk(jf, r, c)
			}
			c[w] = saved
			return err
		default:
			return p.unsupported(pc, "instruction class")
		}
		pc++
	}
}

// alu computes the accumulator after an ALU instruction. Masking an
// input word keeps it symbolic; arithmetic on constants is left to bpf's
// interpreter, so that it follows the kernel's semantics (shift counts
// from X modulo 32, only the opcodes seccomp accepts).
func (p *prover) alu(pc int, r regs) (sval, error) {
	ins := p.prog[pc]
	v := ins.K
	if bpf.Source(ins.Op) == bpf.X {
		if r.x.kind != svConst {
			return sval{}, p.unsupported(pc, "arithmetic with an input-dependent X")
		}
		v = r.x.c
	}
	if r.a.kind == svWord && ins.Op&^bpf.X == bpf.ALU|bpf.AND {
		a := r.a
		a.c &= v
		if a.c == 0 {
			return sval{kind: svConst}, nil
		}
		return a, nil
	}
	if r.a.kind != svConst {
		return sval{}, p.unsupported(pc, "arithmetic on an input word")
	}
	q := bpf.Program{bpf.Stmt(bpf.LD|bpf.IMM, r.a.c), bpf.Stmt(bpf.LDX|bpf.IMM, r.x.c), ins, bpf.Stmt(bpf.RET|bpf.A, 0)}
	a, steps, err := q.Run(bpf.Data{}, nil)
	if err != nil {
		return sval{}, p.unsupported(pc, fmt.Sprintf("ALU operation: %v", err))
	}
	if steps != len(q) {
		return sval{}, p.unsupported(pc, "division by zero ends the program")
	}
	return sval{kind: svConst, c: a}, nil
}

// leaf checks every model decision within a program path ending in ret.
func (p *prover) leaf(c *cons, ret uint32) error {
	p.stats.Paths++
	if p.stats.Paths > MaxPaths {
		return fmt.Errorf("%w: more than %d program paths", ErrTooComplex, MaxPaths)
	}
	pending := [][]int{nil}
	for len(pending) > 0 {
		prefix := pending[len(pending)-1]
		pending = pending[:len(pending)-1]
		o := &p.oracle
		*o = symOracle{p: p, cons: *c, prefix: prefix, trace: o.trace[:0]}
		act := p.rs.Eval(o)
		if o.err != nil {
			return o.err
		}
		pending = append(pending, o.alts...)
		p.stats.Cells++
		if uint32(act) != ret {
			return p.counterexample(o)
		}
	}
	return nil
}

// counterexample turns the constraints of a cell where the program and
// the model differ into a concrete input, and confirms it.
func (p *prover) counterexample(o *symOracle) error {
	var vals [numOffsetWords]uint32
	for i := range o.cons {
		v, ok, err := o.cons[i].witness()
		if err != nil || !ok {
			return fmt.Errorf("%w: no witness for a mismatching cell (%v)", ErrInternal, err)
		}
		vals[i] = v
	}
	var order binary.ByteOrder = binary.LittleEndian
	if p.bigEndian[vals[bpf.OffsetArch/4]] {
		order = binary.BigEndian
	}
	var raw [bpf.SizeofData]byte
	for i, v := range vals {
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
	got, _, err := p.prog.Run(d, order)
	if err != nil {
		return fmt.Errorf("%w: program fails on input %+v: %v", ErrUnsupported, d, err)
	}
	want := p.rs.Decide(d)
	if got == uint32(want) {
		return fmt.Errorf("%w: unconfirmed mismatch on input %+v", ErrInternal, d)
	}
	return &Mismatch{Data: d, Order: order, Want: want, Got: got}
}

// symOracle answers the model's questions within a set of constraints,
// following a recorded prefix of answers and recording every other
// satisfiable answer as an alternative to explore.
type symOracle struct {
	p      *prover
	cons   cons
	prefix []int
	trace  []int
	alts   [][]int
	order  binary.ByteOrder // set once the model has picked an architecture
	err    error
}

// index maps a model word to its offset word.
func (o *symOracle) index(w model.Word) (int, bool) {
	switch w {
	case model.WordNr:
		return bpf.OffsetNr / 4, true
	case model.WordArch:
		return bpf.OffsetArch / 4, true
	}
	if o.order == nil {
		o.fail(fmt.Errorf("%w: model reads %v before choosing an architecture", ErrInternal, w))
		return 0, false
	}
	switch w {
	case model.WordIPLow:
		return int(bpf.InstructionPointerOffset(false, o.order)) / 4, true
	case model.WordIPHigh:
		return int(bpf.InstructionPointerOffset(true, o.order)) / 4, true
	}
	i, high, ok := w.Arg()
	if !ok {
		o.fail(fmt.Errorf("%w: unknown word %v", ErrInternal, w))
		return 0, false
	}
	return int(bpf.ArgOffset(i, high, o.order)) / 4, true
}

func (o *symOracle) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// choose returns the recorded answer for the next question, if any.
func (o *symOracle) choose() (int, bool) {
	n := len(o.trace)
	if n < len(o.prefix) {
		o.trace = append(o.trace, o.prefix[n])
		return o.prefix[n], true
	}
	return 0, false
}

func (o *symOracle) branch(alt int) {
	a := make([]int, len(o.trace)+1)
	copy(a, o.trace)
	a[len(o.trace)] = alt
	o.alts = append(o.alts, a)
}

// Test implements model.Oracle.
func (o *symOracle) Test(w model.Word, mask uint32, rel model.Rel, k uint32) bool {
	i, ok := o.index(w)
	if !ok || o.err != nil {
		return false
	}
	t := atom{mask: mask, k: k, rel: rel}
	if choice, replay := o.choose(); replay {
		if choice == 0 {
			t = t.not()
		}
		s, ok, err := o.cons[i].add(t)
		if err != nil || !ok {
			o.fail(fmt.Errorf("%w: replayed answer unsatisfiable (%v)", ErrInternal, err))
			return false
		}
		o.cons[i] = s
		return choice == 1
	}
	ts, tok, err := o.cons[i].add(t)
	if err != nil {
		o.fail(fmt.Errorf("%w: %v", ErrTooComplex, err))
		return false
	}
	fs, fok, err := o.cons[i].add(t.not())
	if err != nil {
		o.fail(fmt.Errorf("%w: %v", ErrTooComplex, err))
		return false
	}
	switch {
	case tok && fok:
		o.branch(0)
		fallthrough
	case tok:
		o.trace = append(o.trace, 1)
		o.cons[i] = ts
		return true
	case fok:
		o.trace = append(o.trace, 0)
		o.cons[i] = fs
		return false
	}
	o.fail(fmt.Errorf("%w: cell constraints unsatisfiable", ErrInternal))
	return false
}

// Select implements model.Oracle. Answers are encoded as index+1, with 0
// for "none of the keys".
func (o *symOracle) Select(w model.Word, keys []uint32) int {
	i, ok := o.index(w)
	if !ok || o.err != nil {
		return -1
	}
	idx := o.selectIndex(i, keys)
	if idx >= 0 && w == model.WordArch {
		o.order = binary.LittleEndian
		if o.p.bigEndian[keys[idx]] {
			o.order = binary.BigEndian
		}
	}
	return idx
}

func (o *symOracle) selectIndex(i int, keys []uint32) int {
	apply := func(choice int) bool {
		var (
			s   wordSet
			ok  bool
			err error
		)
		if choice == 0 {
			s, ok, err = o.cons[i].addNE(keys)
		} else {
			s, ok, err = o.cons[i].add(atom{mask: fullMask, rel: model.EQ, k: keys[choice-1]})
		}
		if err != nil {
			o.fail(fmt.Errorf("%w: %v", ErrTooComplex, err))
			return false
		}
		if ok {
			o.cons[i] = s
		}
		return ok
	}
	if choice, replay := o.choose(); replay {
		if !apply(choice) {
			o.fail(fmt.Errorf("%w: replayed selection unsatisfiable", ErrInternal))
		}
		return choice - 1
	}
	ws := &o.cons[i]
	if ws.fixed() {
		choice := 0
		if j, found := slices.BinarySearch(keys, ws.lo); found {
			choice = j + 1
		}
		o.trace = append(o.trace, choice)
		return choice - 1
	}
	// Every key the word may equal, then "none of them".
	var options []int
	base := o.cons[i]
	start, _ := slices.BinarySearch(keys, base.lo)
	for j := start; j < len(keys); j++ {
		k := keys[j]
		if k > base.hi {
			break
		}
		if _, ok, err := base.add(atom{mask: fullMask, rel: model.EQ, k: k}); err != nil {
			o.fail(fmt.Errorf("%w: %v", ErrTooComplex, err))
			return -1
		} else if ok {
			options = append(options, j+1)
		}
	}
	if _, ok, err := base.addNE(keys); err != nil {
		o.fail(fmt.Errorf("%w: %v", ErrTooComplex, err))
		return -1
	} else if ok {
		options = append(options, 0)
	}
	if len(options) == 0 {
		o.fail(fmt.Errorf("%w: cell constraints unsatisfiable", ErrInternal))
		return -1
	}
	for _, alt := range options[1:] {
		o.branch(alt)
	}
	o.trace = append(o.trace, options[0])
	apply(options[0])
	return options[0] - 1
}
