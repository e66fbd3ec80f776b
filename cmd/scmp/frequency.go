package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/frequency"
)

// frequencyUsage is the help text of --frequency.
const frequencyUsage = "lay the filter out for the syscall mix counted in `FILE`: strace -c's summary (strace -f -c -o FILE,\n" +
	"32-bit sections included) or a Minijail frequency file (\"name: count\" lines); frequent\n" +
	"syscalls then run fewer instructions, and the decisions stay the same"

// readFrequency reads and parses a --frequency file.
func readFrequency(path string) (*frequency.Mix, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--frequency: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, frequency.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("--frequency: reading %s: %w", path, err)
	}
	if len(b) > frequency.MaxSize {
		return nil, fmt.Errorf("--frequency: %w", tooLarge(path, "syscall count file", frequency.MaxSize))
	}
	m, err := frequency.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("--frequency: %s: %w", path, err)
	}
	return m, nil
}

// applyFrequency gives f the weights counted in the file at path, for a
// process of architecture main: each strace table goes to the
// architecture of its personality (the 32-bit table to x86 for an x86_64
// process), a Minijail file to main. Names that are not syscalls of
// their architecture are an error.
func applyFrequency(f *seccomp.ScmpFilter, path string, main *arch.Arch) error {
	m, err := readFrequency(path)
	if err != nil {
		return err
	}
	abis := make([]*arch.Arch, len(m.Sections))
	for i, s := range m.Sections {
		name, ok := frequency.Arch(main.Name, s.Mode)
		a, found := arch.Lookup(name)
		if !ok || !found {
			return fmt.Errorf("--frequency: %s: a table for %s mode, which %s has not; count the syscalls of a process of the filter's architecture, or choose it with --arch", path, s.Mode, main.Name)
		}
		abis[i] = a
	}
	err = m.Check(func(mode, name string) bool {
		for i, s := range m.Sections {
			if s.Mode == mode {
				nr, ok := abis[i].SyscallNumberRewrite(name)
				return ok && nr >= 0
			}
		}
		return false
	})
	var ue *frequency.UnknownError
	if errors.As(err, &ue) {
		return fmt.Errorf("--frequency: %s: as syscalls of %s: %w", path, main.Name, err)
	}
	for i, s := range m.Sections {
		sa, err := seccomp.GetArchFromString(abis[i].Name)
		if err == nil {
			err = f.SetArchSyscallWeights(sa, s.Counts)
		}
		if err != nil {
			return fmt.Errorf("--frequency: %s: %w", path, err)
		}
	}
	return nil
}
