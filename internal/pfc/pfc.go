// Package pfc writes a filter's rules as pseudo filter code (PFC): a
// human-readable listing in the spirit of libseccomp's seccomp_export_pfc,
// with the architecture checks, the syscall checks (by name and number),
// the argument comparisons of each syscall and the actions by name.
//
// The listing describes the decisions, not the BPF program: it follows
// the rule database in order, an "if" without an action that does not
// match falls through to the next line at its level, and a syscall whose
// checks all fall through takes the default action.
package pfc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/db"
)

// maxDepth bounds the nesting of argument checks; a deeper tree is cyclic.
const maxDepth = 64

var errCycle = errors.New("pfc: argument tree too deep or cyclic")

// Write writes the pseudo filter code of in to w.
func Write(w io.Writer, in compile.Input) error {
	p := &printer{w: bufio.NewWriter(w)}
	p.line(0, "#")
	p.line(0, "# pseudo filter code start")
	p.line(0, "#")
	done := make([]bool, len(in.Filters))
	for i, f := range in.Filters {
		if done[i] {
			continue
		}
		if f == nil || f.Arch == nil {
			return fmt.Errorf("pfc: filter %d has no architecture", i)
		}
		// x86_64 and x32 share their token and one block.
		group := []*db.Filter{f}
		for j := i + 1; j < len(in.Filters); j++ {
			g := in.Filters[j]
			if g != nil && g.Arch != nil && g.Arch.Token == f.Arch.Token {
				group = append(group, g)
				done[j] = true
			}
		}
		if err := p.arch(group, in); err != nil {
			return err
		}
	}
	p.line(0, "# invalid architecture action")
	p.action(0, in.BadArch)
	p.line(0, "#")
	p.line(0, "# pseudo filter code end")
	p.line(0, "#")
	return p.w.Flush()
}

type printer struct {
	w *bufio.Writer
}

func (p *printer) line(indent int, format string, args ...any) {
	for range indent {
		p.w.WriteString("  ")
	}
	fmt.Fprintf(p.w, format, args...)
	p.w.WriteByte('\n')
}

// action prints an action the way libseccomp's PFC names it.
func (p *printer) action(indent int, a db.Action) {
	v := uint32(a)
	var s string
	switch v & bpf.RetActionFull {
	case bpf.RetKillProcess:
		s = "KILL_PROCESS"
	case bpf.RetKillThread:
		s = "KILL"
	case bpf.RetTrap:
		s = "TRAP"
	case bpf.RetErrno:
		s = fmt.Sprintf("ERRNO(%d)", v&bpf.RetData)
	case bpf.RetTrace:
		s = fmt.Sprintf("TRACE(%d)", v&bpf.RetData)
	case bpf.RetLog:
		s = "LOG"
	case bpf.RetAllow:
		s = "ALLOW"
	case bpf.RetUserNotif:
		s = "NOTIFY"
	default:
		s = fmt.Sprintf("0x%x", v)
	}
	p.line(indent, "action %s;", s)
}

// arch prints the block of one architecture token.
func (p *printer) arch(group []*db.Filter, in compile.Input) error {
	names := make([]string, len(group))
	for i, f := range group {
		names[i] = f.Arch.Name
	}
	tok := group[0].Arch.Token
	p.line(0, "# filter for arch %s (%d)", strings.Join(names, " + "), tok)
	p.line(0, "if ($arch == %d)", tok)
	if len(group) == 1 {
		switch group[0].Arch.Name {
		case "x86_64":
			p.line(1, "# x32 syscalls take the invalid architecture action")
			p.line(1, "if ($syscall >= %d)", uint32(0x40000000))
			p.line(2, "if ($syscall != %d)", ^uint32(0))
			p.action(3, in.BadArch)
		case "x32":
			p.line(1, "# x86_64 syscalls take the invalid architecture action")
			p.line(1, "if ($syscall < %d)", uint32(0x40000000))
			p.action(2, in.BadArch)
		}
	}
	// The syscalls of the group, merged in number order.
	lists := make([][]*db.Syscall, len(group))
	for i, f := range group {
		lists[i] = f.Syscalls
	}
	for {
		pick := -1
		for i, l := range lists {
			if len(l) > 0 && l[0] != nil && (pick < 0 || l[0].Num < lists[pick][0].Num) {
				pick = i
			}
		}
		if pick < 0 {
			break
		}
		s := lists[pick][0]
		lists[pick] = lists[pick][1:]
		if err := p.syscall(group[pick], s); err != nil {
			return err
		}
	}
	p.line(1, "# default action")
	p.action(1, in.Default)
	return nil
}

func (p *printer) syscall(f *db.Filter, s *db.Syscall) error {
	name, ok := f.Arch.SyscallName(int32(s.Num))
	if !ok {
		name = "UNKNOWN"
	}
	p.line(1, "# filter for syscall \"%s\" (%d) [priority: %d]", name, s.Num, s.Priority)
	p.line(1, "if ($syscall == %d)", s.Num)
	if s.Chains == nil {
		p.action(2, s.Action)
		return nil
	}
	return p.chain(f, s.Chains, 2)
}

// chain prints the level of n and the levels below it.
func (p *printer) chain(f *db.Filter, n *db.Node, indent int) error {
	if indent > maxDepth {
		return errCycle
	}
	for i := 0; n.Prev != nil; i++ {
		if i > 1<<16 {
			return errCycle
		}
		n = n.Prev
	}
	for ; n != nil; n = n.Next {
		arg := fmt.Sprintf("$a%d", n.Arg)
		if f.Arch.Bits == 64 {
			if n.High {
				arg += ".hi32"
			} else {
				arg += ".lo32"
			}
		}
		switch n.Op {
		case db.OpEQ:
			p.line(indent, "if (%s == %d)", arg, n.Datum)
		case db.OpGT:
			p.line(indent, "if (%s > %d)", arg, n.Datum)
		case db.OpGE:
			p.line(indent, "if (%s >= %d)", arg, n.Datum)
		case db.OpMaskedEQ:
			p.line(indent, "if (%s & 0x%08x == %d)", arg, n.Mask, n.Datum)
		default:
			return fmt.Errorf("pfc: unknown comparison %d", n.Op)
		}
		switch {
		case n.TrueNext != nil:
			if err := p.chain(f, n.TrueNext, indent+1); err != nil {
				return err
			}
		case n.HasTrueAct:
			p.action(indent+1, n.TrueAct)
		}
		switch {
		case n.FalseNext != nil:
			p.line(indent, "else")
			if err := p.chain(f, n.FalseNext, indent+1); err != nil {
				return err
			}
		case n.HasFalseAct:
			p.line(indent, "else")
			p.action(indent+1, n.FalseAct)
		}
	}
	return nil
}
