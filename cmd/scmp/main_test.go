package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// cli runs scmp in this process and returns its output and status.
func cli(t *testing.T, stdin string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	status = runWithInput(args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), status
}

// writeFile writes a file in a test directory and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolve(t *testing.T) {
	// Syscall numbers from the kernel's tables (arch/*/syscall*.tbl,
	// include/uapi/asm-generic/unistd.h) and libseccomp's pseudo numbers.
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-a", "x86_64", "read", "write", "open", "execve"}, "0\n1\n2\n59\n"},
		{[]string{"-a", "x86_64", "0", "59", "231", "99999"}, "read\nexecve\nexit_group\nUNKNOWN\n"},
		{[]string{"-a", "x86", "socketcall", "ipc", "exit"}, "102\n117\n1\n"},
		{[]string{"-a", "x86", "socket", "shmat"}, "-101\n-221\n"},
		{[]string{"-a", "x86", "-t", "socket", "shmat", "read"}, "102\n117\n3\n"},
		{[]string{"-a", "x86", "-101", "-221"}, "socket\nshmat\n"},
		{[]string{"-a", "aarch64", "openat", "read", "open"}, "56\n63\n-10166\n"}, // __PNR_open
		{[]string{"-a", "arm64", "openat"}, "56\n"},
		{[]string{"-a", "x32", "read", "1073741824"}, "1073741824\nread\n"},
		{[]string{"-a", "mips", "read"}, "4003\n"},
		{[]string{"-a", "mips64", "read"}, "5000\n"},
		{[]string{"-a", "mips64n32", "read"}, "6000\n"},
		{[]string{"-a", "s390x", "read", "socket"}, "3\n-101\n"},
		{[]string{"read", "-a", "riscv64"}, "63\n"}, // flags after arguments
		{[]string{"-a=x86", "-101", "-101", "-t"}, "socket\nsocket\n"},
		// After "--", "-t" is an argument; starting with '-', it is read
		// as a number the way atoi reads it: 0.
		{[]string{"-a", "x86", "--", "-t"}, "restart_syscall\n"},
	}
	for _, tt := range tests {
		out, errs, st := cli(t, "", append([]string{"resolve"}, tt.args...)...)
		if st != 0 || out != tt.want {
			t.Errorf("resolve %q: status %d, output %q, stderr %q; want %q", tt.args, st, out, errs, tt.want)
		}
	}
}

func TestResolveNative(t *testing.T) {
	native, err := seccomp.GetNativeArch()
	if err != nil {
		t.Skip(err)
	}
	nr, err := seccomp.GetSyscallFromNameByArch("getpid", native)
	if err != nil {
		t.Fatal(err)
	}
	out, _, st := cli(t, "", "resolve", "getpid")
	if want := fmt.Sprintf("%d\n", int(nr)); st != 0 || out != want {
		t.Errorf("resolve getpid: %d %q, want %q", st, out, want)
	}
}

// testProfile is an OCI profile whose decisions are known: getpid fails
// with ENOSYS (38), personality(8) with EPERM (runc's default errno),
// kill is trapped only for signal 9, everything else is allowed.
const testProfile = `{
	"defaultAction": "SCMP_ACT_ALLOW",
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
	"syscalls": [
		{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO",
		 "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
		{"names": ["kill"], "action": "SCMP_ACT_TRAP",
		 "args": [{"index": 1, "value": 9, "op": "SCMP_CMP_EQ"}]}
	]
}`

func TestCompileDisasmSim(t *testing.T) {
	profile := writeFile(t, "profile.json", []byte(testProfile))
	dir := t.TempDir()
	tests := []struct {
		name      string
		arches    string // --arch for compile
		order     binary.ByteOrder
		tokens    []uint32 // AUDIT_ARCH values the filter checks
		simArch   string   // --arch for sim, "" to let sim infer it
		calls     [][]string
		decisions []string
	}{
		{
			name: "profile arches", order: binary.LittleEndian,
			tokens:  []uint32{0xc000003e, 0x40000003},
			simArch: "x86_64",
			calls: [][]string{
				{"getpid"}, {"39"}, {"read"}, {"personality", "8"}, {"personality", "9"},
				{"personality", "0x100000008"}, {"kill", "1", "9"}, {"kill", "1", "15"},
			},
			decisions: []string{"ERRNO(38)", "ERRNO(38)", "ALLOW", "ERRNO(1)", "ALLOW", "ALLOW", "TRAP", "ALLOW"},
		},
		{
			name: "x86 from the same file", order: binary.LittleEndian,
			tokens:    []uint32{0xc000003e, 0x40000003},
			simArch:   "x86",
			calls:     [][]string{{"getpid"}, {"20"}, {"personality", "8"}, {"kill", "1", "9"}, {"read"}},
			decisions: []string{"ERRNO(38)", "ERRNO(38)", "ERRNO(1)", "TRAP", "ALLOW"},
		},
		{
			name: "x32 from the same file", order: binary.LittleEndian,
			tokens:    []uint32{0xc000003e, 0x40000003},
			simArch:   "x32",
			calls:     [][]string{{"getpid"}, {"0x40000027"}, {"read"}, {"0x40000000"}},
			decisions: []string{"ERRNO(38)", "ERRNO(38)", "ALLOW", "ALLOW"},
		},
		{
			name: "big endian", arches: "s390x,s390", order: binary.BigEndian,
			tokens:    []uint32{0x80000016, 0x16},
			calls:     [][]string{{"getpid"}, {"20"}, {"personality", "8"}, {"personality", "0x800000008"}, {"read"}},
			decisions: []string{"ERRNO(38)", "ERRNO(38)", "ERRNO(1)", "ALLOW", "ALLOW"},
		},
		{
			name: "aarch64 only", arches: "aarch64", order: binary.LittleEndian,
			tokens:    []uint32{0xc00000b7},
			calls:     [][]string{{"getpid"}, {"172"}, {"personality", "8"}, {"read"}},
			decisions: []string{"ERRNO(38)", "ERRNO(38)", "ERRNO(1)", "ALLOW"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bpfFile := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".bpf")
			args := []string{"compile", "--verify", "-o", bpfFile, profile}
			if tt.arches != "" {
				args = append(args, "--arch", tt.arches)
			}
			if out, errs, st := cli(t, "", args...); st != 0 || out != "" {
				t.Fatalf("compile: status %d, stdout %q, stderr %q", st, out, errs)
			}
			raw, err := os.ReadFile(bpfFile)
			if err != nil {
				t.Fatal(err)
			}
			// The first instruction loads seccomp_data.arch (offset 4):
			// BPF_LD|BPF_W|BPF_ABS = 0x20, in the target's byte order.
			first := make([]byte, 8)
			tt.order.PutUint16(first[0:], 0x20)
			tt.order.PutUint32(first[4:], 4)
			if len(raw)%8 != 0 || !bytes.Equal(raw[:8], first) {
				t.Fatalf("raw filter starts % x, want % x", raw[:8], first)
			}

			listing, errs, st := cli(t, "", "disasm", bpfFile)
			if st != 0 || errs != "" {
				t.Fatalf("disasm: status %d, stderr %q", st, errs)
			}
			if n := strings.Count(listing, "\n"); n != len(raw)/8 {
				t.Errorf("disasm: %d lines for %d instructions", n, len(raw)/8)
			}
			if !strings.HasPrefix(listing, "   0: ld [arch]\n") {
				t.Errorf("disasm does not start with the arch load:\n%s", listing)
			}
			for _, tok := range tt.tokens {
				if want := fmt.Sprintf("jeq #%#x ", tok); !strings.Contains(listing, want) {
					t.Errorf("disasm lacks %q:\n%s", want, listing)
				}
			}
			for i, call := range tt.calls {
				args := []string{"sim"}
				if tt.simArch != "" {
					args = append(args, "--arch", tt.simArch)
				}
				args = append(append(args, bpfFile), call...)
				out, errs, st := cli(t, "", args...)
				want := "action: " + tt.decisions[i] + "\n"
				if st != 0 || !strings.HasPrefix(out, want) || !strings.Contains(out, "\ninstructions: ") {
					t.Errorf("sim %q: status %d, output %q, stderr %q; want %q", call, st, out, errs, want)
				}
				// The profile itself decides the same for that arch.
				if tt.simArch != "" {
					args := append([]string{"sim", "--arch", tt.simArch, profile}, call...)
					pout, perrs, st := cli(t, "", args...)
					if st != 0 || !strings.HasPrefix(pout, want) {
						t.Errorf("sim profile %q: status %d, output %q, stderr %q; want %q", call, st, pout, perrs, want)
					}
				}
			}
		})
	}
}

func TestSimTrace(t *testing.T) {
	profile := writeFile(t, "profile.json", []byte(testProfile))
	bpfFile := filepath.Join(t.TempDir(), "f.bpf")
	if _, errs, st := cli(t, "", "compile", "-o", bpfFile, profile); st != 0 {
		t.Fatal(errs)
	}
	raw, err := os.ReadFile(bpfFile)
	if err != nil {
		t.Fatal(err)
	}
	p, err := bpf.Unmarshal(raw, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	listing := strings.Split(p.DisassembleOrder(binary.LittleEndian), "\n")
	for _, call := range [][]string{{"getpid"}, {"personality", "8"}, {"personality", "9"}, {"read"}, {"kill", "0", "9"}} {
		out, errs, st := cli(t, "", append([]string{"sim", "-v", "--arch", "x86_64", bpfFile}, call...)...)
		if st != 0 {
			t.Fatalf("sim -v %q: %s", call, errs)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		var steps int
		if _, err := fmt.Sscanf(lines[len(lines)-1], "instructions: %d", &steps); err != nil {
			t.Fatalf("sim -v %q: last line %q", call, lines[len(lines)-1])
		}
		trace := lines[:len(lines)-2]
		if len(trace) != steps {
			t.Fatalf("sim -v %q: %d trace lines for %d instructions:\n%s", call, len(trace), steps, out)
		}
		// The trace starts at 0, only moves forward, every line is one
		// of the listing, and it ends on the return that gave the action.
		prev := -1
		for _, l := range trace {
			var pc int
			if _, err := fmt.Sscanf(strings.TrimSpace(l), "%d:", &pc); err != nil || pc <= prev || listing[pc] != l {
				t.Fatalf("sim -v %q: bad trace line %q after %d:\n%s", call, l, prev, out)
			}
			prev = pc
		}
		action := strings.TrimPrefix(lines[len(lines)-2], "action: ")
		if !strings.HasPrefix(trace[0], "   0: ") || !strings.HasSuffix(trace[len(trace)-1], "ret "+action) {
			t.Errorf("sim -v %q: trace from %q to %q for action %s", call, trace[0], trace[len(trace)-1], action)
		}
	}
}

func TestCompilePFC(t *testing.T) {
	profile := writeFile(t, "profile.json", []byte(testProfile))
	out, errs, st := cli(t, "", "compile", "--format", "pfc", "--arch", "x86_64", profile)
	if st != 0 {
		t.Fatalf("status %d: %s", st, errs)
	}
	for _, want := range []string{"getpid", "personality", "ERRNO(38)", "ALLOW"} {
		if !strings.Contains(out, want) {
			t.Errorf("PFC lacks %q:\n%s", want, out)
		}
	}
	// Standard input, and the built-in profile.
	if out2, errs, st := cli(t, testProfile, "compile", "--format", "pfc", "--arch", "x86_64", "-"); st != 0 || out2 != out {
		t.Errorf("PFC from stdin differs (status %d, %s)", st, errs)
	}
	if out, errs, st := cli(t, "", "compile", "--format", "pfc", "--arch", "x86_64", "docker-default"); st != 0 || !strings.Contains(out, "ptrace") {
		t.Errorf("built-in profile: status %d, %s", st, errs)
	}
}

func TestCompileProfileArches(t *testing.T) {
	native, err := nativeTarget()
	if err != nil {
		t.Skip(err)
	}
	// No architectures: the native one only.
	p := writeFile(t, "p.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO"}]}`))
	bpfFile := filepath.Join(t.TempDir(), "f.bpf")
	out, errs, st := cli(t, "", "compile", "-v", "-o", bpfFile, p)
	if st != 0 || out != "" || !strings.Contains(errs, " for "+native.abi.Name+"\n") {
		t.Errorf("status %d, stdout %q, stderr %q; want a filter for %s only", st, out, errs, native.abi.Name)
	}
	// The reported size is that of the filter written.
	if raw, err := os.ReadFile(bpfFile); err != nil {
		t.Error(err)
	} else if want := fmt.Sprintf(": %d BPF instructions for ", len(raw)/bpf.InstructionSize); !strings.Contains(errs, want) {
		t.Errorf("stderr %q does not report the %d instructions written", errs, len(raw)/bpf.InstructionSize)
	}
	// Listed architectures only, even when the native one is not among them.
	p = writeFile(t, "p.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PPC64LE"],"syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO"}]}`))
	out, errs, st = cli(t, "", "compile", "-v", "--format", "pfc", p)
	if st != 0 || !strings.Contains(errs, " for ppc64le\n") || strings.Count(out, "filter for arch") != 1 {
		t.Errorf("status %d, stderr %q, PFC:\n%s", st, errs, out)
	}
}

func TestHelp(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			out, errs, st := cli(t, "", args...)
			if st != 0 || !strings.HasPrefix(out, "Usage: scmp "+c.name) || errs != "" {
				t.Errorf("%q: status %d, stdout %q, stderr %q", args, st, out, errs)
			}
		}
	}
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}} {
		out, _, st := cli(t, "", args...)
		if st != 0 || !strings.Contains(out, "Commands:") {
			t.Errorf("%q: status %d, output %q", args, st, out)
		}
	}
	out, _, st := cli(t, "", "compile", "--help")
	for _, flag := range []string{"--arch A,...", "--format format", "--verify", "-o FILE"} {
		if st != 0 || !strings.Contains(out, flag) {
			t.Errorf("compile --help lacks %q:\n%s", flag, out)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, st := cli(t, "", "version")
	if st != 0 || !strings.HasPrefix(out, "scmp "+seccomp.Version+"\n") || !strings.Contains(out, "syscall tables: Linux v") {
		t.Errorf("status %d, output %q", st, out)
	}
	if out2, _, _ := cli(t, "", "--version"); out2 != out {
		t.Errorf("--version gives %q, version %q", out2, out)
	}
}

// TestErrors checks that every bad input is refused with a message naming
// the problem and the right status.
func TestErrors(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, "good.json", []byte(testProfile))
	bad := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	malformed := bad("malformed.json", `{"defaultAction": "SCMP_ACT_ALLOW",`)
	badAction := bad("action.json", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_EXPLODE"}]}`)
	badOp := bad("op.json", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ALMOST"}]}]}`)
	badIndex := bad("index.json", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}`)
	badArch := bad("arch.json", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_VAX"]}`)
	var many strings.Builder
	many.WriteString(`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[`)
	for i := 0; i < 3000; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"names":["personality"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":%d,"op":"SCMP_CMP_EQ"}]}`, i*7919+1)
	}
	many.WriteString("]}")
	manyRules := bad("many.json", many.String())
	// Rules of six scattered comparisons, each needing instructions of
	// its own: more than the kernel's 4096.
	many.Reset()
	many.WriteString(`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[`)
	v := uint32(1)
	for i := 0; i < 1600; i++ {
		if i > 0 {
			many.WriteString(",")
		}
		fmt.Fprintf(&many, `{"names":[%q],"action":"SCMP_ACT_ERRNO","args":[`, []string{"ioctl", "fcntl", "prctl", "kill", "madvise", "mprotect", "mmap", "tgkill"}[i%8])
		for j := range 6 {
			v = v*1664525 + 1013904223
			if j > 0 {
				many.WriteString(",")
			}
			fmt.Fprintf(&many, `{"index":%d,"value":%d,"op":"SCMP_CMP_EQ"}`, j, v)
		}
		many.WriteString("]}")
	}
	many.WriteString("]}")
	tooLong := bad("long.json", many.String())
	odd := bad("odd.bpf", "1234567")
	empty := bad("empty.bpf", "")
	bpfFile := filepath.Join(dir, "good.bpf")
	if _, errs, st := cli(t, "", "compile", "-o", bpfFile, good); st != 0 {
		t.Fatal(errs)
	}

	tests := []struct {
		args   []string
		status int
		want   []string
	}{
		{[]string{}, 2, []string{"Usage:"}},
		{[]string{"frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
		{[]string{"resolve"}, 2, []string{"no syscall name or number"}},
		{[]string{"resolve", "-a", "vax", "read"}, 2, []string{`unknown architecture "vax"`}},
		{[]string{"resolve", "-a", "x86_64", "read", "nosuchcall"}, 1, []string{`unknown syscall "nosuchcall"`}},
		{[]string{"resolve", "--bogus", "read"}, 2, []string{"-bogus", "scmp resolve --help"}},
		{[]string{"compile"}, 2, []string{"no profile given"}},
		{[]string{"compile", good, good}, 2, []string{"give one profile"}},
		{[]string{"compile", "--format", "elf", good}, 2, []string{`unknown --format "elf"`, "bpf or pfc"}},
		{[]string{"compile", "--arch", "vax", good}, 2, []string{"--arch", `unknown architecture "vax"`}},
		{[]string{"compile", "--arch", "x86_64,amd64", good}, 2, []string{"x86_64 given twice"}},
		{[]string{"compile", "--arch", "x86_64,s390x", "--format", "pfc", good}, 2, []string{"x86_64 and s390x have different byte orders"}},
		{[]string{"compile", filepath.Join(dir, "missing.json")}, 1, []string{"missing.json", "no such file"}},
		{[]string{"compile", malformed}, 1, []string{"malformed.json"}},
		{[]string{"compile", badAction}, 1, []string{"syscalls[0].action", "SCMP_ACT_EXPLODE"}},
		{[]string{"compile", badOp}, 1, []string{"syscalls[0].args[0].op", "SCMP_CMP_ALMOST"}},
		{[]string{"compile", badIndex}, 1, []string{"syscalls[0].args[0].index"}},
		{[]string{"compile", badArch}, 1, []string{"architectures", "SCMP_ARCH_VAX"}},
		{[]string{"compile", "-o", filepath.Join(dir, "x.bpf"), tooLong}, 1, []string{"4096"}},
		{[]string{"compile", "-o", filepath.Join(dir, "x.bpf"), manyRules}, 1, []string{"syscalls[2048]", "more than 2048 rules with args"}},
		{[]string{"disasm"}, 2, []string{"no filter file"}},
		{[]string{"disasm", filepath.Join(dir, "missing.bpf")}, 1, []string{"missing.bpf", "no such file"}},
		{[]string{"disasm", odd}, 1, []string{"odd.bpf", "7 bytes", "8-byte instructions"}},
		{[]string{"disasm", empty}, 1, []string{"empty.bpf is empty"}},
		{[]string{"disasm", good}, 1, []string{"JSON profile", "scmp compile"}},
		{[]string{"disasm", "--arch", "vax", bpfFile}, 2, []string{`unknown architecture "vax"`}},
		{[]string{"sim", bpfFile}, 2, []string{"no syscall given"}},
		{[]string{"sim"}, 2, []string{"no filter or profile"}},
		{[]string{"sim", bpfFile, "nosuchcall"}, 2, []string{`unknown syscall "nosuchcall"`}},
		{[]string{"sim", bpfFile, "read", "x12"}, 2, []string{"argument 0", `"x12" is not a number`}},
		{[]string{"sim", bpfFile, "read", "1", "2", "3", "4", "5", "6", "7"}, 2, []string{"7 syscall arguments", "at most 6"}},
		{[]string{"sim", "--ip", "pc", bpfFile, "read"}, 2, []string{"--ip", `"pc"`}},
		{[]string{"sim", "--arch", "aarch64", bpfFile, "open"}, 2, []string{"open has no number on aarch64", "-10166"}},
		{[]string{"sim", "--arch", "x86_64", bpfFile, "99999999999"}, 2, []string{"not a 32-bit number"}},
		{[]string{"sim", badAction, "read"}, 1, []string{"syscalls[0].action"}},
		{[]string{"version", "extra"}, 2, []string{`unexpected argument "extra"`}},
		{[]string{"help", "frobnicate"}, 2, []string{`unknown command "frobnicate"`}},
		{[]string{"run"}, 125, []string{"no command given"}},
		{[]string{"run", "--profile", badAction, "true"}, 125, []string{"syscalls[0].action"}},
		{[]string{"run", "--profile", filepath.Join(dir, "missing.json"), "true"}, 125, []string{"missing.json"}},
		{[]string{"run", "--bogus", "true"}, 125, []string{"-bogus"}},
		{[]string{"run", "--", "no-such-command-for-scmp-test"}, 127, []string{"no-such-command-for-scmp-test", "not found"}},
		{[]string{"run", "--", filepath.Join(dir, "missing")}, 127, []string{"exec " + filepath.Join(dir, "missing"), "no such file"}},
		{[]string{"run", "--", good}, 126, []string{"exec " + good, "permission denied"}},
	}
	for _, tt := range tests {
		out, errs, st := cli(t, "", tt.args...)
		if st != tt.status {
			t.Errorf("%q: status %d, want %d (stdout %q, stderr %q)", tt.args, st, tt.status, out, errs)
			continue
		}
		msg := errs
		if len(tt.args) == 0 {
			msg = out + errs
		}
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q: stderr %q lacks %q", tt.args, msg, w)
			}
		}
	}
}

func TestDisasmWarnsAboutInvalidProgram(t *testing.T) {
	// A jump past the end: "ld [nr]; ja +5" is refused by the kernel.
	p := bpf.Program{{Op: bpf.LD | bpf.W | bpf.ABS, K: 0}, {Op: bpf.JMP | bpf.JA, K: 5}}
	f := writeFile(t, "bad.bpf", p.Marshal(binary.LittleEndian))
	out, errs, st := cli(t, "", "disasm", f)
	if st != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(errs, "warning") {
		t.Errorf("status %d, stdout %q, stderr %q", st, out, errs)
	}
	out, errs, st = cli(t, "", "sim", f, "0")
	if st != 1 || !strings.Contains(errs, "cannot run") {
		t.Errorf("sim: status %d, stdout %q, stderr %q", st, out, errs)
	}
}

// TestResolveMatchesTables resolves every syscall name the tables know, on
// every architecture, and each resulting number back.
func TestResolveMatchesTables(t *testing.T) {
	names := arch.SyscallNames()
	for _, a := range arch.All() {
		var want, back strings.Builder
		var nums []string
		for _, n := range names {
			nr, ok := a.SyscallNumber(n)
			if !ok {
				t.Fatalf("%s: %s unknown to the tables", a.Name, n)
			}
			fmt.Fprintf(&want, "%d\n", nr)
			nums = append(nums, fmt.Sprint(nr))
			name, ok := a.SyscallName(nr)
			if !ok {
				name = "UNKNOWN"
			}
			fmt.Fprintf(&back, "%s\n", name)
		}
		out, errs, st := cli(t, "", append([]string{"resolve", "-a", a.Name}, names...)...)
		if st != 0 || out != want.String() {
			t.Errorf("%s: names: status %d, stderr %q, output differs from the tables", a.Name, st, errs)
		}
		out, errs, st = cli(t, "", append([]string{"resolve", "-a", a.Name}, nums...)...)
		if st != 0 || out != back.String() {
			t.Errorf("%s: numbers: status %d, stderr %q, output differs from the tables", a.Name, st, errs)
		}
	}
}

// TestCompileDockerDefault compiles Docker's default profile, as
// distributed, for the architecture sets of Docker's archMap, and proves
// each result equal to the resolved rules (--verify).
func TestCompileDockerDefault(t *testing.T) {
	dir := t.TempDir()
	for _, arches := range []string{"x86_64,x86,x32", "aarch64,arm", "s390x,s390", "ppc64le", "riscv64", "mipsel64,mipsel64n32,mipsel", "loongarch64"} {
		for _, caps := range []string{"none", "CAP_SYS_ADMIN,CAP_SYS_PTRACE"} {
			out := filepath.Join(dir, arches+caps+".bpf")
			_, errs, st := cli(t, "", "compile", "--verify", "--caps", caps, "--kernel", "6.1", "--arch", arches, "-o", out, "docker-default")
			if st != 0 {
				t.Errorf("%s, caps %s: status %d: %s", arches, caps, st, errs)
				continue
			}
			raw, err := os.ReadFile(out)
			if err != nil || len(raw) == 0 || len(raw)%8 != 0 || len(raw)/8 > bpf.MaxInstructions {
				t.Errorf("%s, caps %s: %d bytes, %v", arches, caps, len(raw), err)
			}
		}
	}
}
