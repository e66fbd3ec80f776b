package seccomp

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/db"
)

// program returns the compiled filter, compiling it when the rules or the
// attributes it depends on changed since the last time; f.lock must be
// held. Errors: syscall.EINVAL for a filter without architectures, or
// the compiler's error (wrapping compile.ErrTooLong when the program
// would exceed the kernel's 4096 instructions).
func (f *ScmpFilter) program() (bpf.Program, error) {
	if err := f.col.Valid(); err != nil {
		return nil, errRc(err)
	}
	gen := f.col.Generation()
	if f.progOK && f.progGen == gen {
		return f.prog, nil
	}
	p, err := compile.Compile(compile.Input{
		Filters: f.col.Filters(),
		Default: f.col.Default(),
		BadArch: f.col.BadArch(),
	})
	if err != nil {
		return nil, err
	}
	f.prog, f.progGen, f.progOK = p, gen, true
	return p, nil
}

// marshal returns the raw program in the byte order of the filter's
// architectures, as seccomp_export_bpf writes it; f.lock must be held.
func (f *ScmpFilter) marshal() ([]byte, error) {
	p, err := f.program()
	if err != nil {
		return nil, err
	}
	return p.Marshal(f.col.Arches()[0].ByteOrder()), nil
}

// sysErr maps a failure of the system to what libseccomp returns for it:
// syscall.ECANCELED, or the errno itself with the RawRC attribute;
// f.lock must be held.
func (f *ScmpFilter) sysErr(err error) error {
	if f.attr(db.AttrRawRC) != 0 {
		return errRc(err)
	}
	return syscall.ECANCELED
}

// Precompute compiles the filter now, so that a later Load (or export)
// does no work as long as the filter is not changed.
func (f *ScmpFilter) Precompute() error {
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	_, err := f.program()
	return err
}

// ExportBPF writes the compiled filter to file as the kernel takes it: an
// array of struct sock_filter in the byte order of the filter's
// architectures.
func (f *ScmpFilter) ExportBPF(file *os.File) error {
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	b, err := f.marshal()
	if err != nil {
		return err
	}
	if file == nil {
		return f.sysErr(syscall.EBADF)
	}
	if _, err := file.Write(b); err != nil {
		return f.sysErr(err)
	}
	return nil
}

// ExportBPFMem returns the compiled filter as ExportBPF writes it.
func (f *ScmpFilter) ExportBPFMem() ([]byte, error) {
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return nil, errBadFilter
	}
	return f.marshal()
}

// ExportPFC writes a human-readable description of the filter's rules to
// file, in the spirit of libseccomp's pseudo filter code.
func (f *ScmpFilter) ExportPFC(file *os.File) error {
	f.lock.Lock()
	defer f.lock.Unlock()

	if !f.valid {
		return errBadFilter
	}
	if err := f.col.Valid(); err != nil {
		return errRc(err)
	}
	if file == nil {
		return f.sysErr(syscall.EBADF)
	}
	w := bufio.NewWriter(file)
	writePFC(w, f.col)
	if err := w.Flush(); err != nil {
		return f.sysErr(err)
	}
	return nil
}

// writePFC writes the rule trees of every architecture.
func writePFC(w io.Writer, c *db.Collection) {
	fmt.Fprintf(w, "#\n# pseudo filter code start\n#\n")
	for _, flt := range c.Filters() {
		fmt.Fprintf(w, "# filter for arch %s (%d)\n", flt.Arch.Name, flt.Arch.Token)
		fmt.Fprintf(w, "if ($arch == %d)\n", flt.Arch.Token)
		for _, s := range flt.Syscalls {
			name, ok := flt.Arch.SyscallName(int32(s.Num))
			if !ok {
				name = "UNKNOWN"
			}
			fmt.Fprintf(w, "  # filter for syscall \"%s\" (%d) [priority: %d]\n", name, int32(s.Num), s.Priority)
			fmt.Fprintf(w, "  if ($syscall == %d)\n", int32(s.Num))
			if s.Chains == nil {
				fmt.Fprintf(w, "    action %s;\n", bpf.ActionString(uint32(s.Action)))
				continue
			}
			writePFCLevel(w, s.Chains, 2)
		}
		fmt.Fprintf(w, "  # default action\n  action %s;\n", bpf.ActionString(uint32(c.Default())))
	}
	fmt.Fprintf(w, "# invalid architecture action\naction %s;\n", bpf.ActionString(uint32(c.BadArch())))
	fmt.Fprintf(w, "#\n# pseudo filter code end\n#\n")
}

func writePFCLevel(w io.Writer, n *db.Node, depth int) {
	ind := func(d int) string { return fmt.Sprintf("%*s", 2*d, "") }
	for _, c := range db.Level(n) {
		word := "lo"
		if c.High {
			word = "hi"
		}
		var cmp string
		switch c.Op {
		case db.OpEQ:
			cmp = "=="
		case db.OpGT:
			cmp = ">"
		case db.OpGE:
			cmp = ">="
		case db.OpMaskedEQ:
			cmp = fmt.Sprintf("& 0x%.8x ==", c.Mask)
		}
		fmt.Fprintf(w, "%sif ($a%d.%s %s 0x%.8x)\n", ind(depth), c.Arg, word, cmp, c.Datum)
		switch {
		case c.TrueNext != nil:
			writePFCLevel(w, c.TrueNext, depth+1)
		case c.HasTrueAct:
			fmt.Fprintf(w, "%saction %s;\n", ind(depth+1), bpf.ActionString(uint32(c.TrueAct)))
		}
		if c.FalseNext != nil || c.HasFalseAct {
			fmt.Fprintf(w, "%selse\n", ind(depth))
			if c.FalseNext != nil {
				writePFCLevel(w, c.FalseNext, depth+1)
			} else {
				fmt.Fprintf(w, "%saction %s;\n", ind(depth+1), bpf.ActionString(uint32(c.FalseAct)))
			}
		}
	}
}
