package seccomp

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/db"
	"github.com/seccomp-go/seccomp/internal/pfc"
	"github.com/seccomp-go/seccomp/internal/verify"
)

// program returns the compiled filter, compiling it when the rules or the
// attributes it depends on changed since the last time; f.lock must be
// held. Errors: errBadFilter for a released filter, syscall.EINVAL for a
// filter without architectures, or the compiler's error (wrapping
// compile.ErrTooLong when the program would exceed the kernel's 4096
// instructions).
func (f *ScmpFilter) program() (bpf.Program, error) {
	if !f.valid {
		return nil, errBadFilter
	}
	if err := f.col.Valid(); err != nil {
		return nil, errRc(err)
	}
	gen := f.col.Generation()
	if c := f.compiled; c.prog != nil && c.gen == gen {
		return c.prog, nil
	}
	filters := f.col.Filters()
	p, err := compile.Compile(compile.Input{
		Filters: filters,
		Default: f.col.Default(),
		BadArch: f.col.BadArch(),
		Weights: f.weights.numbers(f.col.Arches()),
	})
	// the compiler keeps nothing of its input
	f.col.RecycleFilters(filters)
	if err != nil {
		return nil, err
	}
	if proveEveryProgram() {
		if err := f.prove(p); err != nil && !errors.Is(err, verify.ErrTooComplex) {
			return nil, fmt.Errorf("seccomp: %s=1: compiled program rejected: %w", proveEnv, err)
		}
	}
	f.compiled.prog, f.compiled.gen = p, gen
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
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	_, err := f.program()
	return err
}

// ExportBPF writes the compiled filter to file as the kernel takes it: an
// array of struct sock_filter in the byte order of the filter's
// architectures.
func (f *ScmpFilter) ExportBPF(file *os.File) error {
	if f == nil {
		return errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

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
	if f == nil {
		return nil, errBadFilter
	}
	f.lock.Lock()
	defer f.lock.Unlock()

	return f.marshal()
}

// ExportPFC writes a human-readable description of the filter's rules to
// file, in the spirit of libseccomp's pseudo filter code: the
// architecture checks, the syscalls with their argument checks, and the
// actions, as the filter decides them.
func (f *ScmpFilter) ExportPFC(file *os.File) error {
	if f == nil {
		return errBadFilter
	}
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
	err := pfc.Write(file, compile.Input{
		Filters: f.col.Filters(),
		Default: f.col.Default(),
		BadArch: f.col.BadArch(),
	})
	if err == nil {
		return nil
	}
	var pe *os.PathError
	var errno syscall.Errno
	if errors.As(err, &pe) || errors.As(err, &errno) || errors.Is(err, os.ErrClosed) {
		return f.sysErr(err)
	}
	return err
}
