package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

// explainProfile has an entry without conditions, one whose conditions
// decide, entries for one syscall that overlap, and an entry with the
// default action.
const explainProfile = `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[
 {"names":["read","write","getpid"],"action":"SCMP_ACT_ALLOW"},
 {"names":["kill"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":0,"op":"SCMP_CMP_EQ"}]},
 {"names":["kill"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":1,"value":9,"op":"SCMP_CMP_EQ"}]},
 {"names":["getpid"],"action":"SCMP_ACT_KILL_PROCESS"},
 {"names":["ioctl"],"action":"SCMP_ACT_ERRNO","errnoRet":13,"args":[{"index":1,"value":21505,"op":"SCMP_CMP_EQ"}]},
 {"names":["ioctl"],"action":"SCMP_ACT_LOG"},
 {"names":["mount"],"action":"SCMP_ACT_ERRNO","errnoRet":38},
 {"names":["fcntl"],"action":"SCMP_ACT_TRAP"},
 {"names":["fcntl"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]},
 {"names":["tgkill"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
 {"names":["tgkill"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":2,"value":9,"op":"SCMP_CMP_EQ"}]}]}`

func TestExplain(t *testing.T) {
	prof := writeFile(t, "profile.json", []byte(explainProfile))
	bpfFile := writeFile(t, "profile.bpf", nil)
	if _, errs, st := cli(t, "", "compile", "--arch", "x86_64", "-o", bpfFile, prof); st != 0 {
		t.Fatalf("compile: %d %s", st, errs)
	}
	tests := []struct {
		name string
		args []string
		want []string // lines, in order, each a substring of a line
	}{
		{"allowed by an entry", []string{prof, "read"}, []string{
			"syscall: read (x86_64 0)",
			"decision: ALLOW",
			"decided by syscalls[0] SCMP_ACT_ALLOW, names read write getpid",
		}},
		{"held condition", []string{prof, "kill", "1", "0"}, []string{
			"decision: ALLOW",
			"decided by syscalls[1] SCMP_ACT_ALLOW, names kill",
			"args[1] == 0x0: holds (args[1] is 0x0)",
			"not matched:",
			"syscalls[2] SCMP_ACT_ERRNO errnoRet 1, names kill",
			"args[1] == 0x9: fails (args[1] is 0x0)",
		}},
		{"denied by an entry", []string{prof, "kill", "1", "9"}, []string{
			"decision: ERRNO(1)",
			"decided by syscalls[2] SCMP_ACT_ERRNO errnoRet 1, names kill",
			"args[1] == 0x9: holds",
			"not matched:",
			"syscalls[1]",
			"args[1] == 0x0: fails (args[1] is 0x9)",
		}},
		{"failed conditions", []string{prof, "kill", "1", "15"}, []string{
			"decision: ERRNO(38)",
			"why: the conditions of no entry hold; the default action decides: SCMP_ACT_ERRNO, defaultErrnoRet 38",
			"not matched:",
		}},
		{"default action", []string{prof, "openat"}, []string{
			"syscall: openat (x86_64 257)",
			"decision: ERRNO(38)",
			"why: no entry applies to openat; the default action decides: SCMP_ACT_ERRNO, defaultErrnoRet 38",
		}},
		{"entry with the default action", []string{prof, "mount"}, []string{
			"decision: ERRNO(38)",
			"why: no entry applies to mount",
			"no rule: syscalls[6] SCMP_ACT_ERRNO errnoRet 38, names mount: the default action, so runc adds no rule for it",
		}},
		{"two entries without conditions", []string{prof, "getpid"}, []string{
			"decision: ALLOW",
			"decided by syscalls[0]",
			"merging: syscalls[3] (KILL_PROCESS) also names getpid without conditions; libseccomp keeps the first rule without conditions for a syscall, syscalls[0]'s, and ignores the later one",
		}},
		{"a later entry without conditions wins", []string{prof, "ioctl", "1", "21505"}, []string{
			"decision: LOG",
			"decided by syscalls[5] SCMP_ACT_LOG, names ioctl",
			"merging: syscalls[4] (ERRNO(13)) matches too, with conditions; libseccomp drops the rules with conditions of a syscall that has a rule without, so syscalls[5]'s LOG wins",
		}},
		{"an earlier entry without conditions wins", []string{prof, "fcntl", "3", "1"}, []string{
			"decision: TRAP",
			"decided by syscalls[7] SCMP_ACT_TRAP, names fcntl",
			"merging: syscalls[8] (ALLOW) matches too, with conditions; libseccomp drops the rules with conditions of a syscall that has a rule without, so syscalls[7]'s TRAP wins",
		}},
		{"overlapping entries with conditions", []string{prof, "tgkill", "1", "2", "9"}, []string{
			"decision: ",
			"decided by syscalls[",
			"merging: the conditions of syscalls[9] (ALLOW), syscalls[10] (ERRNO(1)) all hold and their actions differ; libseccomp's merging of the rules for tgkill decides, and ",
		}},
		{"enosys-after", []string{"--enosys-after", "5.4", prof, "openat2"}, []string{
			"decision: ERRNO(38)",
			"why: openat2 is newer than Linux 5.4 (since 5.6) and no entry names it: --enosys-after makes it fail with ENOSYS",
		}},
		{"x32 numbers on a filter without x32", []string{prof, "0x40000000"}, []string{
			"syscall: read (x32 1073741824)",
			"decision: KILL_THREAD",
			"why: the filter does not cover x32: its bad-architecture action decides",
		}},
		{"a number without a name", []string{prof, "999"}, []string{
			"syscall: a syscall with no name (x86_64 999)",
			"why: no entry applies to syscall 999;",
		}},
		{"raw BPF", []string{bpfFile, "kill", "1", "9"}, []string{
			"syscall: kill (x86_64 62), args 0x1 0x9",
			"path:",
			"0: ld [arch]",
			"ld [args[1].lo]",
			"ret ERRNO(1)",
			"decision: ERRNO(1), after",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"explain", "--arch", "x86_64"}, tt.args...)
			out, errs, st := cli(t, "", args...)
			if st != 0 {
				t.Fatalf("%q: status %d, stderr %s", args, st, errs)
			}
			checkLines(t, out, tt.want)
			if strings.Contains(out, "incomplete") {
				t.Errorf("%q: the explanation disagrees with the filter:\n%s", args, out)
			}
		})
	}
}

func TestExplainErrors(t *testing.T) {
	prof := writeFile(t, "profile.json", []byte(explainProfile))
	tests := []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{}, exitUsage, "scmp explain: no filter or profile given"},
		{[]string{prof}, exitUsage, "scmp explain: no syscall given"},
		{[]string{prof, "nosuchcall"}, exitUsage, `unknown syscall "nosuchcall"`},
		{[]string{"--arch", "vax", prof, "read"}, exitUsage, `--arch: unknown architecture "vax"`},
		{[]string{"--caps", "CAP_SYSADMIN", prof, "read"}, exitUsage, "did you mean CAP_SYS_ADMIN?"},
		{[]string{prof, "read", "1", "2", "3", "4", "5", "6", "7"}, exitUsage, "7 syscall arguments given"},
		{[]string{prof, "read", "x"}, exitUsage, `argument 0: "x" is not a number`},
		{[]string{"/nonexistent.json", "read"}, exitFail, "no such file"},
		{[]string{"/dev/zero", "read"}, exitFail, "larger than 4 MiB"},
		{[]string{writeFile(t, "bad.json", []byte(`{"defaultAction":"SCMP_ACT_NOPE"}`)), "read"}, exitFail, `defaultAction: unknown action "SCMP_ACT_NOPE"`},
		{[]string{writeFile(t, "odd.bpf", []byte{1, 2, 3}), "read"}, exitFail, "not a whole number of 8-byte instructions"},
		{[]string{"--strict", writeFile(t, "sloppy.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW","coment":"x"}`)), "read"}, exitFail, "--strict: the profile has 1 problem"},
		{[]string{"--enosys-after", "five", prof, "read"}, exitUsage, `invalid value "five" for flag -enosys-after`},
	}
	for _, tt := range tests {
		_, errs, st := cli(t, "", append([]string{"explain"}, tt.args...)...)
		if st != tt.status || !strings.Contains(errs, tt.want) {
			t.Errorf("explain %q: status %d, stderr %q; want %d, %q", tt.args, st, errs, tt.status, tt.want)
		}
	}
}

// TestExplainStdin checks a profile read from standard input.
func TestExplainStdin(t *testing.T) {
	out, errs, st := cli(t, explainProfile, "explain", "--arch", "aarch64", "-", "kill", "1", "9")
	if st != 0 {
		t.Fatalf("status %d, stderr %s", st, errs)
	}
	checkLines(t, out, []string{
		"syscall: kill (aarch64 129), args 0x1 0x9",
		"decision: ERRNO(1)",
		"decided by syscalls[2] SCMP_ACT_ERRNO errnoRet 1, names kill",
	})
}

// TestExplainIgnoredRule checks a rule that libseccomp's merging
// ignores although its conditions hold: on x86, whose arguments are 32
// bits wide, the values become 2, the rules' tests of args[2] share
// one node of the tree, and the last rule is dropped.
func TestExplainIgnoredRule(t *testing.T) {
	prof := writeFile(t, "ignored.json", []byte(`{"defaultAction":"SCMP_ACT_KILL_PROCESS","syscalls":[
	 {"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":2,"value":9223372036854775810,"op":"SCMP_CMP_LT"}]},
	 {"names":["kill"],"action":"SCMP_ACT_ALLOW","args":[{"index":2,"value":9223372036854775810,"op":"SCMP_CMP_LE"}]},
	 {"names":["kill"],"action":"SCMP_ACT_ERRNO","args":[{"index":2,"value":2,"op":"SCMP_CMP_GE"},{"index":0,"value":1,"op":"SCMP_CMP_GE"}]}]}`))
	out, errs, st := cli(t, "", "explain", "--arch", "x86", prof, "kill", "0xffffffff", "2", "3")
	if st != 0 {
		t.Fatalf("status %d, stderr %s", st, errs)
	}
	checkLines(t, out, []string{
		"decision: KILL_PROCESS",
		"why: no rule that libseccomp keeps matches; the default action decides: SCMP_ACT_KILL_PROCESS",
		"merging: the conditions of syscalls[2] (ERRNO(1)) hold, but libseccomp ignores its rule: an earlier rule for kill decides every call it matches",
	})
	if strings.Contains(out, "incomplete") {
		t.Errorf("the explanation disagrees with the filter:\n%s", out)
	}
}

// TestExplainManyLeftOut checks that a long list of entries left out
// is cut short.
func TestExplainManyLeftOut(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[`)
	for i := range 50 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}`)
	}
	b.WriteString("]}")
	out, errs, st := cli(t, b.String(), "explain", "--arch", "x86_64", "-", "mount")
	if st != 0 {
		t.Fatalf("status %d, stderr %s", st, errs)
	}
	if n := strings.Count(out, "left out: includes.caps"); n != maxLeftOut {
		t.Errorf("%d entries left out shown, want %d", n, maxLeftOut)
	}
	checkLines(t, out, []string{"syscalls[19] SCMP_ACT_ALLOW", "  and 30 more"})
}

// TestExplainDisagreement checks that a filter deciding otherwise than
// the entries say is reported: its decision is printed, and the
// explanation is said to be incomplete.
func TestExplainDisagreement(t *testing.T) {
	tg, err := parseArch("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	x, err := newExplainer([]byte(explainProfile), tg, profileOptions{caps: "none"})
	if err != nil {
		t.Fatal(err)
	}
	nr, _ := tg.abi.SyscallNumber("read")
	d := bpf.Data{Arch: tg.abi.Token, Nr: nr}
	r, err := x.explain(d)
	if err != nil || r.missing != "" {
		t.Fatalf("read: %v, %q", err, r.missing)
	}
	// A filter that kills every call in place of the profile's.
	x.prog = bpf.Program{bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess)}
	if r, err = x.explain(d); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	r.write(&b)
	checkLines(t, b.String(), []string{
		"decision: KILL_PROCESS",
		"decided by syscalls[0] SCMP_ACT_ALLOW",
		"the explanation is incomplete: by the entries the decision would be ALLOW; the compiled filter decides KILL_PROCESS",
	})
}

// checkLines checks that each of want is part of a line of out, in order.
func checkLines(t *testing.T, out string, want []string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	i := 0
	for _, w := range want {
		for i < len(lines) && !strings.Contains(lines[i], w) {
			i++
		}
		if i == len(lines) {
			t.Errorf("no line %q (after the ones before it) in:\n%s", w, out)
			return
		}
		i++
	}
}

// TestExplainDocker checks the explanations of Docker's profile: entries
// left out for capabilities and architectures are named.
func TestExplainDocker(t *testing.T) {
	tests := []struct {
		args []string
		want []string
		not  string
	}{
		{[]string{"--arch", "x86_64", "docker-default", "mount"}, []string{
			"decision: ERRNO(1)",
			"why: no entry applies to mount; the default action decides: SCMP_ACT_ERRNO, defaultErrnoRet 1",
			"left out by includes/excludes for x86_64, capabilities docker and the running kernel; they would match:",
			"SCMP_ACT_ALLOW, names bpf clone clone3 fanotify_init fsconfig fsmount ... (26 names; names[12] is mount), left out: includes.caps: CAP_SYS_ADMIN is not in the capability set",
		}, ""},
		{[]string{"--arch", "x86_64", "--caps", "docker,CAP_SYS_ADMIN", "docker-default", "mount"}, []string{
			"decision: ALLOW",
			"decided by syscalls[",
		}, "left out"},
		{[]string{"--arch", "aarch64", "--caps", "none", "docker-default", "reboot"}, []string{
			"decision: ERRNO(1)",
			"left out: includes.caps: CAP_SYS_BOOT is not in the capability set",
		}, ""},
		{[]string{"--arch", "x86_64", "--kernel", "4.4", "docker-default", "ptrace"}, []string{
			"decision: ERRNO(1)",
			"left out: includes.minKernel: the kernel is older than 4.8",
		}, ""},
		{[]string{"--arch", "aarch64", "docker-default", "personality", "8"}, []string{
			"decision: ALLOW",
			"args[0] == 0x8: holds",
		}, ""},
		{[]string{"--arch", "x86_64", "--caps", "none", "docker-default", "socket", "40"}, []string{
			"decision: ERRNO(1)",
			"args[0] > 0x28: fails (args[0] is 0x28)",
		}, ""},
	}
	for _, tt := range tests {
		args := append([]string{"explain"}, tt.args...)
		out, errs, st := cli(t, "", args...)
		if st != 0 {
			t.Errorf("%q: status %d, stderr %s", args, st, errs)
			continue
		}
		checkLines(t, out, tt.want)
		if tt.not != "" && strings.Contains(out, tt.not) {
			t.Errorf("%q: output has %q:\n%s", args, tt.not, out)
		}
		if strings.Contains(out, "incomplete") {
			t.Errorf("%q: the explanation disagrees with the filter:\n%s", args, out)
		}
	}
}

// TestExplainPodman checks entries with errno names, left out by
// excludes or arches.
func TestExplainPodman(t *testing.T) {
	prof := writeFile(t, "podman.json", []byte(`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOSYS",
	 "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],"syscalls":[
	 {"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
	 {"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errno":"EACCES"},
	 {"names":["unshare"],"action":"SCMP_ACT_ERRNO","errno":"EPERM","excludes":{"caps":["CAP_SYS_ADMIN"]}},
	 {"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64"]}},
	 {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"op":"SCMP_CMP_EQ"}],"includes":{"caps":["CAP_SYS_ADMIN"]}}]}`))
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--arch", "x86_64", prof, "mkdir"}, []string{
			"decision: ERRNO(13)",
			"decided by syscalls[1] SCMP_ACT_ERRNO errnoRet 13 errno EACCES, names mkdir",
		}},
		{[]string{"--arch", "x86_64", "--caps", "all", prof, "unshare"}, []string{
			"decision: ERRNO(38)",
			"the default action decides: SCMP_ACT_ERRNO, defaultErrnoRet 38 (defaultErrno ENOSYS)",
			"left out by includes/excludes for x86_64, capabilities all and the running kernel; they would match:",
			"syscalls[2] SCMP_ACT_ERRNO errno EPERM, names unshare, left out: excludes.caps: CAP_SYS_ADMIN is in the capability set",
		}},
		{[]string{"--arch", "x86", prof, "arch_prctl"}, []string{
			"syscall: arch_prctl (x86 384)",
			"decision: ERRNO(38)",
			"syscalls[3] SCMP_ACT_ALLOW, names arch_prctl, left out: includes.arches: x86 is not one of amd64",
		}},
	}
	for _, tt := range tests {
		args := append([]string{"explain"}, tt.args...)
		out, errs, st := cli(t, "", args...)
		if st != 0 {
			t.Errorf("%q: status %d, stderr %s", args, st, errs)
			continue
		}
		checkLines(t, out, tt.want)
	}
	// A left-out entry is named only where its conditions hold.
	out, _, _ := cli(t, "", "explain", "--arch", "x86_64", prof, "personality", "8")
	checkLines(t, out, []string{"syscalls[4] SCMP_ACT_ALLOW, names personality, left out: includes.caps: CAP_SYS_ADMIN is not in the capability set"})
	out, _, _ = cli(t, "", "explain", "--arch", "x86_64", prof, "personality", "9")
	if strings.Contains(out, "left out") {
		t.Errorf("personality 9: an entry for personality 8 is named:\n%s", out)
	}
}

// TestExplainAgreesWithFilter checks, for every syscall of x86_64 and
// aarch64 and a few argument values, that what the entries of Docker's
// profile decide is what its compiled filter decides.
func TestExplainAgreesWithFilter(t *testing.T) {
	argSets := [][6]uint64{
		{},
		{8},                         // personality(PER_LINUX32)
		{0x7e020000},                // clone with namespace flags
		{40},                        // socket(AF_VSOCK)
		{0xffffffff, 9, 0x5401},     // all ones, SIGKILL, TCGETS
		{1, 0, 0x10, 0, 0, 1 << 40}, // a high word
	}
	// Every syscall of x86_64 and aarch64, for three capability sets,
	// and of x86 (which multiplexes socket calls) and mips (32-bit
	// words, numbers from 4000) for Docker's.
	combos := []struct{ caps, arch string }{
		{"docker", "x86_64"}, {"none", "x86_64"}, {"all", "x86_64"},
		{"docker", "aarch64"}, {"none", "aarch64"}, {"all", "aarch64"},
		{"docker", "x86"}, {"docker", "mips"},
	}
	for _, c := range combos {
		capSet, name := c.caps, c.arch
		tg, err := parseArch(name)
		if err != nil {
			t.Fatal(err)
		}
		po := profileOptions{caps: capSet, kernel: "6.1"}
		x, err := newExplainer(oci.DefaultProfile, tg, po)
		if err != nil {
			t.Fatal(err)
		}
		// On x86_64, the x32 syscalls too, which Docker's archMap
		// adds to the filter.
		abis := []*arch.Arch{tg.abi}
		if tg.abi == arch.X86_64 {
			abis = append(abis, arch.X32)
		}
		n := 0
		for _, abi := range abis {
			for _, sys := range arch.SyscallNames() {
				nr, err := parseSyscall(abi, sys)
				if err != nil {
					continue
				}
				for _, args := range argSets {
					d := bpf.Data{Arch: tg.abi.Token, Nr: nr, Args: args}
					r, err := x.explain(d)
					if err != nil {
						t.Fatalf("%s %s: %v", name, sys, err)
					}
					n++
					if r.missing != "" {
						var b strings.Builder
						r.write(&b)
						t.Errorf("--caps %s, %s %s %x: %s\n%s", capSet, abi.Name, sys, args, r.missing, b.String())
					}
				}
			}
		}
		if n < 1000 {
			t.Errorf("%s: only %d calls explained", name, n)
		}
	}
}

// TestExplainDocExamples runs the examples of the explain section of
// docs/CLI.md and compares their output with the text there.
func TestExplainDocExamples(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "CLI.md"))
	if err != nil {
		t.Skip(err)
	}
	text := string(doc)
	start := strings.Index(text, "\n## scmp explain\n")
	if start < 0 {
		t.Fatal("no explain section in docs/CLI.md")
	}
	section := text[start+1:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}

	// The profiles the examples use are the section's JSON blocks, in
	// order.
	dir := t.TempDir()
	files := map[string]string{}
	for i, name := range []string{"kill.json", "ioctl.json"} {
		parts := strings.SplitN(section, "```json\n", i+2)
		if len(parts) < i+2 {
			t.Fatalf("no JSON block for %s", name)
		}
		body, _, _ := strings.Cut(parts[i+1], "```")
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		files[name] = p
	}
	files["kill.bpf"] = filepath.Join(dir, "kill.bpf")

	n := 0
	for _, block := range strings.Split(section, "```\n")[1:] {
		lines := strings.Split(block, "\n")
		for i := 0; i < len(lines); i++ {
			cmd, ok := strings.CutPrefix(lines[i], "$ scmp ")
			if !ok {
				continue
			}
			var want []string
			for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "$ ") && lines[i+1] != "" {
				i++
				want = append(want, lines[i])
			}
			args := strings.Fields(cmd)
			for j, a := range args {
				if p, ok := files[a]; ok {
					args[j] = p
				}
			}
			out, errs, st := cli(t, "", args...)
			got := strings.Split(strings.TrimSuffix(errs+out, "\n"), "\n")
			if errs+out == "" {
				got = nil
			}
			if st != 0 || !slices.Equal(got, want) {
				t.Errorf("scmp %s: status %d, output:\n%s\nwant:\n%s", cmd, st, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			n++
		}
	}
	if n < 10 {
		t.Errorf("only %d examples found", n)
	}
}

// BenchmarkExplainDocker measures explaining one call through Docker's
// profile: compiling it, tracing its entries and running the filter.
func BenchmarkExplainDocker(b *testing.B) {
	tg, err := parseArch("x86_64")
	if err != nil {
		b.Fatal(err)
	}
	nr, _ := tg.abi.SyscallNumber("mount")
	d := bpf.Data{Arch: tg.abi.Token, Nr: nr}
	for i := 0; i < b.N; i++ {
		x, err := newExplainer(oci.DefaultProfile, tg, profileOptions{caps: "docker", kernel: "6.1"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.explain(d); err != nil {
			b.Fatal(err)
		}
	}
}
