package verify

import (
	"encoding/binary"
	"fmt"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// refCompile is a deliberately plain, test-only compiler from the rule
// tree to BPF: a linear architecture dispatch, a linear syscall dispatch,
// and every argument level emitted in place with forward jumps only. It
// gives the prover programs to prove and to mutate without depending on
// internal/compile.
func refCompile(filters []*db.Filter, def, badArch db.Action) (bpf.Program, error) {
	a := &asm{labels: map[int]int{}}
	badLbl := a.newLabel()
	a.stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch)
	type group struct {
		token  uint32
		order  binary.ByteOrder
		fs     []*db.Filter
		names  []string
		labels int
	}
	var groups []*group
	for _, f := range filters {
		var g *group
		for _, h := range groups {
			if h.token == f.Arch.Token {
				g = h
			}
		}
		if g == nil {
			g = &group{token: f.Arch.Token, order: f.Arch.ByteOrder()}
			groups = append(groups, g)
		}
		g.fs = append(g.fs, f)
		g.names = append(g.names, f.Arch.Name)
	}
	for _, g := range groups {
		next := a.newLabel()
		body := a.newLabel()
		a.far(bpf.JMP|bpf.JEQ|bpf.K, g.token, body, next)
		a.place(body)
		defLbl := a.newLabel()
		sys := a.newLabel()
		a.stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr)
		if len(g.fs) == 1 && g.names[0] == "x86_64" {
			chk := a.newLabel()
			a.far(bpf.JMP|bpf.JGE|bpf.K, 0x40000000, chk, sys)
			a.place(chk)
			a.far(bpf.JMP|bpf.JEQ|bpf.K, 0xffffffff, sys, badLbl)
		} else if len(g.fs) == 1 && g.names[0] == "x32" {
			a.far(bpf.JMP|bpf.JGE|bpf.K, 0x40000000, sys, badLbl)
		}
		a.place(sys)
		// A number in both x86_64 and x32 (syscall -1): the entry of
		// higher priority, then that of the smaller tree, then that
		// of the first filter.
		chosen := map[uint32]*db.Syscall{}
		for _, f := range g.fs {
			for _, s := range f.Syscalls {
				c := chosen[s.Num]
				if c == nil || s.Priority > c.Priority ||
					s.Priority == c.Priority && nodeCount(s.Chains) < nodeCount(c.Chains) {
					chosen[s.Num] = s
				}
			}
		}
		for _, f := range g.fs {
			for _, s := range f.Syscalls {
				if chosen[s.Num] != s {
					continue
				}
				hit, miss := a.newLabel(), a.newLabel()
				a.stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr)
				a.far(bpf.JMP|bpf.JEQ|bpf.K, s.Num, hit, miss)
				a.place(hit)
				if s.Chains == nil {
					a.ret(uint32(s.Action))
				} else {
					a.level(s.Chains, defLbl, g.order)
				}
				a.place(miss)
			}
		}
		a.place(defLbl)
		a.ret(uint32(def))
		a.place(next)
	}
	a.place(badLbl)
	a.ret(uint32(badArch))
	return a.resolve()
}

type pending struct {
	ins    bpf.Instruction
	jt, jf int // labels, -1 for none
	ja     int // label for JA, -1 for none
}

type asm struct {
	code   []pending
	labels map[int]int // label -> instruction index
	nlabel int
}

func (a *asm) newLabel() int { a.nlabel++; return a.nlabel }

func (a *asm) place(l int) { a.labels[l] = len(a.code) }

func (a *asm) stmt(op uint16, k uint32) {
	a.code = append(a.code, pending{ins: bpf.Stmt(op, k), jt: -1, jf: -1, ja: -1})
}

func (a *asm) ret(k uint32) { a.stmt(bpf.RET|bpf.K, k) }

func (a *asm) jump(op uint16, k uint32, jt, jf int) {
	a.code = append(a.code, pending{ins: bpf.Jump(op, k, 0, 0), jt: jt, jf: jf, ja: -1})
}

// far emits a conditional jump whose targets may be any distance away.
func (a *asm) far(op uint16, k uint32, jt, jf int) {
	t, f := a.newLabel(), a.newLabel()
	a.jump(op, k, t, f)
	a.place(t)
	a.ja(jt)
	a.place(f)
	a.ja(jf)
}

func (a *asm) ja(l int) {
	a.code = append(a.code, pending{ins: bpf.Stmt(bpf.JMP|bpf.JA, 0), jt: -1, jf: -1, ja: l})
}

// level emits the nodes of n's level; falling off it continues at fall.
func (a *asm) level(n *db.Node, fall int, order binary.ByteOrder) {
	nodes := db.Level(n)
	for i, n := range nodes {
		next := fall
		var nextLbl int
		if i+1 < len(nodes) {
			nextLbl = a.newLabel()
			next = nextLbl
		}
		a.stmt(bpf.LD|bpf.W|bpf.ABS, bpf.ArgOffset(n.Arg, n.High, order))
		var op uint16
		switch n.Op {
		case db.OpEQ:
			op = bpf.JEQ
		case db.OpGT:
			op = bpf.JGT
		case db.OpGE:
			op = bpf.JGE
		case db.OpMaskedEQ:
			a.stmt(bpf.ALU|bpf.AND|bpf.K, n.Mask)
			op = bpf.JEQ
		}
		tl, fl := a.newLabel(), a.newLabel()
		a.jump(bpf.JMP|op|bpf.K, n.Datum, tl, fl)
		a.place(tl)
		a.branch(n.HasTrueAct, n.TrueAct, n.TrueNext, next, order)
		a.place(fl)
		a.branch(n.HasFalseAct, n.FalseAct, n.FalseNext, next, order)
		if nextLbl != 0 {
			a.place(nextLbl)
		}
	}
}

func (a *asm) branch(hasAct bool, act db.Action, child *db.Node, next int, order binary.ByteOrder) {
	switch {
	case hasAct:
		a.ret(uint32(act))
	case child != nil:
		a.level(child, next, order)
	default:
		a.ja(next)
	}
}

func (a *asm) resolve() (bpf.Program, error) {
	p := make(bpf.Program, len(a.code))
	for i, c := range a.code {
		ins := c.ins
		rel := func(l int) (int, error) {
			t, ok := a.labels[l]
			if !ok {
				return 0, fmt.Errorf("label %d not placed", l)
			}
			d := t - i - 1
			if d < 0 {
				return 0, fmt.Errorf("backward jump at %d", i)
			}
			return d, nil
		}
		if c.ja >= 0 {
			d, err := rel(c.ja)
			if err != nil {
				return nil, err
			}
			ins.K = uint32(d)
		}
		if c.jt >= 0 {
			dt, err := rel(c.jt)
			if err != nil {
				return nil, err
			}
			df, err := rel(c.jf)
			if err != nil {
				return nil, err
			}
			if dt > 255 || df > 255 {
				return nil, fmt.Errorf("jump too long at %d", i)
			}
			ins.Jt, ins.Jf = uint8(dt), uint8(df)
		}
		p[i] = ins
	}
	return p, nil
}

// nodeCount returns the number of distinct nodes reachable from n.
func nodeCount(n *db.Node) int {
	seen := map[*db.Node]bool{}
	var walk func(n *db.Node)
	walk = func(n *db.Node) {
		for _, m := range db.Level(n) {
			if !seen[m] {
				seen[m] = true
				walk(m.TrueNext)
				walk(m.FalseNext)
			}
		}
	}
	walk(n)
	return len(seen)
}
