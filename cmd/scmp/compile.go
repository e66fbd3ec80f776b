package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

var compileCommand = &command{
	name:    "compile",
	summary: "compile an OCI, Docker or Podman profile to BPF or PFC",
	usage: `compile [--arch A,...] [--format bpf|pfc] [--verify] [-o FILE] PROFILE

Compiles a seccomp profile into the filter runc would load for it. The
format (runtime-spec LinuxSeccomp or a whole config.json, Docker's, or
Podman's) is detected. The filter covers exactly the profile's
architectures (for a Docker or Podman profile, those of the archMap entry
of this machine), or the native architecture when the profile lists none;
--arch replaces them, and the first one given is the architecture a
Docker or Podman profile is resolved for.

The BPF output is the raw array of struct sock_filter in the target
architecture's byte order, as seccomp_export_bpf writes it, ready for
"scmp disasm", "scmp sim" or seccomp(2).

PROFILE is a file of at most 4 MiB, "-" for standard input, or
docker-default for Docker's default profile, built in (a file of that
name is ./docker-default). Docker and Podman profiles are resolved for
Docker's default container capabilities (--caps docker), as "scmp run"
resolves them. Unknown keys, keys in another letter case or given twice,
and rules that never apply are reported on standard error; --strict
makes them errors.`,
	run: runCompile,
}

func runCompile(e *env, args []string) int {
	fs := newFlagSet(e)
	archList := fs.String("arch", "", "compile for the comma-separated architectures `A,...` instead of the profile's")
	format := fs.String("format", "bpf", "output `format`: bpf (raw filter) or pfc (readable pseudo filter code)")
	verify := fs.Bool("verify", false, "prove that the BPF decides every input exactly as the profile's rules")
	output := fs.String("o", "", "write the output to `FILE` instead of standard output")
	po := profileFlags(e, fs)
	verbose := fs.Bool("v", false, "report the architectures and the size of the filter on standard error")
	pos, st := parse(e, fs, args, false)
	if st >= 0 {
		return st
	}
	switch {
	case len(pos) == 0:
		return e.usageErrorf("no profile given")
	case len(pos) > 1:
		return e.usageErrorf("give one profile, not %d (%q ...)", len(pos), pos)
	}
	if *format != "bpf" && *format != "pfc" {
		return e.usageErrorf("unknown --format %q: want bpf or pfc", *format)
	}
	var arches []target
	if *archList != "" {
		var err error
		if arches, err = parseArchList(*archList); err != nil {
			return e.usageErrorf("--arch: %v", err)
		}
	}
	if err := po.check(); err != nil {
		return e.usageErrorf("%v", err)
	}
	data, err := readProfile(e, pos[0])
	if err != nil {
		return e.errorf("%v", err)
	}
	f, arches, spec, err := compileProfile(data, arches, true, *po)
	if err != nil {
		return e.errorf("%s: %v", pos[0], explain(err))
	}
	defer f.Release()
	prog, err := loadedProgram(f, spec, arches, *po)
	if err != nil {
		return e.errorf("%s: %v", pos[0], explain(err))
	}

	if *verify {
		if err := f.Verify(); err != nil {
			return e.errorf("verification failed: %v", err)
		}
		if *verbose {
			fmt.Fprintf(e.stderr, "%s: verified: the filter decides every input as its rules do\n", e.name)
		}
	}
	var out []byte
	switch *format {
	case "bpf":
		if prog != nil {
			out = prog.Marshal(arches[0].abi.ByteOrder())
		} else if out, err = f.ExportBPFMem(); err != nil {
			return e.errorf("%v", explain(err))
		}
		if *output == "" && isTerminal(e.stdout) {
			return e.usageErrorf("refusing to write binary BPF to a terminal; use -o FILE, redirect the output, or --format pfc")
		}
	case "pfc":
		out, err = exportPFC(f)
		if err != nil {
			return e.errorf("%v", explain(err))
		}
		if prog != nil {
			note, err := stubNote(f, prog, arches, po.enosys)
			if err != nil {
				return e.errorf("%v", err)
			}
			out = append(note, out...)
		}
	}
	if *verbose {
		raw := out
		if *format != "bpf" {
			raw, err = f.ExportBPFMem()
		}
		if err == nil {
			n := len(raw) / bpf.InstructionSize
			if prog != nil {
				n = len(prog)
			}
			fmt.Fprintf(e.stderr, "%s: %d BPF instructions for %s\n", e.name, n, archNames(arches))
		}
	}
	if *output != "" {
		if err := os.WriteFile(*output, out, 0o644); err != nil {
			return e.errorf("%v", err)
		}
		return exitOK
	}
	if _, err := e.stdout.Write(out); err != nil {
		return e.errorf("writing output: %v", err)
	}
	return exitOK
}

// loadedProgram returns the program that is loaded for f, which
// compileProfile built from spec for arches with po: with --enosys-after,
// the program of oci.ProgramFor, whose stub makes the syscall numbers
// above each architecture's table fail with ENOSYS; nil without it, as
// the filter's own program is loaded then.
func loadedProgram(f *seccomp.ScmpFilter, spec *specs.LinuxSeccomp, arches []target, po profileOptions) (bpf.Program, error) {
	if po.enosys == "" {
		return nil, nil
	}
	opts, _, err := po.options(arches)
	if err != nil {
		return nil, err
	}
	return oci.ProgramFor(f, spec, opts)
}

// profileProgram compiles a profile as compileProfile does and returns
// the program that run loads for it (see loadedProgram), decoded in the
// byte order of its architectures, and those architectures. sim, diff
// and graph look at this program, so that what they show is what runs.
func profileProgram(data []byte, arches []target, exact bool, po profileOptions) (bpf.Program, []target, error) {
	f, used, spec, err := compileProfile(data, arches, exact, po)
	if err != nil {
		return nil, nil, err
	}
	defer f.Release()
	p, err := loadedProgram(f, spec, used, po)
	if err != nil || p != nil {
		return p, used, err
	}
	raw, err := f.ExportBPFMem()
	if err != nil {
		return nil, nil, err
	}
	p, err = bpf.Unmarshal(raw, used[0].abi.ByteOrder())
	return p, used, err
}

// stubNote returns the PFC comment that tells what prog, the program of
// loadedProgram for f, does before f's own program, which the PFC text
// shows; nothing when prog is f's program alone.
func stubNote(f *seccomp.ScmpFilter, prog bpf.Program, arches []target, version string) ([]byte, error) {
	raw, err := f.ExportBPFMem()
	if err != nil {
		return nil, err
	}
	if len(prog) == len(raw)/bpf.InstructionSize {
		return nil, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "#\n# --enosys-after %s: the BPF program (--format bpf, as sim and run use\n", version)
	b.WriteString("# it) puts a stub in front of this filter, which fails with ENOSYS every\n")
	b.WriteString("# syscall numbered above its architecture's table:\n")
	for _, t := range arches {
		fmt.Fprintf(&b, "#   %s: above %d", t.abi.Name, t.abi.MaxSyscall())
		if t.abi.Name == "s390" || t.abi.Name == "s390x" {
			b.WriteString(", and 0 (the number of a syscall the kernel does not know)")
		}
		b.WriteString("\n")
	}
	return []byte(b.String()), nil
}

// exportPFC returns the filter's PFC text.
func exportPFC(f *seccomp.ScmpFilter) ([]byte, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := io.ReadAll(r)
		r.Close()
		ch <- result{b, err}
	}()
	err = f.ExportPFC(w)
	w.Close()
	res := <-ch
	if err != nil {
		return nil, err
	}
	return res.b, res.err
}

// explain adds what to do to errors that need it.
func explain(err error) error {
	if errors.Is(err, oci.ErrTooLong) {
		return fmt.Errorf("%w; remove rules or split the architectures (--arch)", err)
	}
	return err
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0 && fi.Mode()&os.ModeDevice != 0
}
