package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const allowAll = `{"defaultAction": "SCMP_ACT_ALLOW"}`

// TestBuiltinNotShadowed checks that a file named docker-default in the
// working directory changes nothing unless given as a path.
func TestBuiltinNotShadowed(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/docker-default", []byte(allowAll), 0o644); err != nil {
		t.Fatal(err)
	}
	// In the directory, as a separate process, so that this one's
	// working directory stays as it is.
	inDir := func(args ...string) (string, string, error) {
		cmd := exec.Command(scmpBinary(t), args...)
		cmd.Dir = dir
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	out, errs, err := inDir("sim", "--arch", "x86_64", "docker-default", "mount")
	if err != nil || !strings.HasPrefix(out, "action: ERRNO(1)\n") {
		t.Errorf("sim docker-default mount: %v, %q, %q; want the built-in profile's ERRNO(1)", err, out, errs)
	}
	if !strings.Contains(errs, "give ./docker-default") {
		t.Errorf("sim docker-default: stderr %q does not say how to name the file", errs)
	}
	out, errs, err = inDir("sim", "--arch", "x86_64", "./docker-default", "mount")
	if err != nil || !strings.HasPrefix(out, "action: ALLOW\n") {
		t.Errorf("sim ./docker-default mount: %v, %q, %q; want the file's ALLOW", err, out, errs)
	}
}

// TestRunBuiltinNotShadowed checks that run, without --profile, uses the
// built-in profile whatever the directory holds.
func TestRunBuiltinNotShadowed(t *testing.T) {
	requireSeccomp(t)
	requireSh(t)
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/docker-default", []byte(allowAll), 0o644); err != nil {
		t.Fatal(err)
	}
	// mount(2) is denied by Docker's profile without CAP_SYS_ADMIN.
	cmd := exec.Command(scmpBinary(t), "run", "-v", "--", "sh", "-c", "unshare -m true")
	cmd.Dir = dir
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	if err == nil {
		t.Errorf("unshare -m under the built-in profile succeeded; stderr %q", errb.String())
	}
	if errs := errb.String(); !strings.Contains(errs, "from docker-default\n") || !strings.Contains(errs, "give ./docker-default") {
		t.Errorf("stderr %q does not say the built-in profile was used", errs)
	}
	// The file, named as a path, is used.
	cmd = exec.Command(scmpBinary(t), "run", "-v", "--profile", "./docker-default", "--", "true")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "from ./docker-default\n") {
		t.Errorf("run --profile ./docker-default: %v: %s", err, out)
	}
}

func TestCapsFlag(t *testing.T) {
	for _, tt := range []struct {
		caps, want string
	}{
		{"CAP_SYSADMIN", `unknown capability "CAP_SYSADMIN" (did you mean CAP_SYS_ADMIN?)`},
		{"bogus", `unknown capability "bogus" (want a name such as CAP_SYS_ADMIN, or a set: docker, host, all, none)`},
		{"docker,,CAP_KILL", "empty entry"},
		{"none,CAP_KILL", "none cannot be combined"},
		{"sys_admn", "did you mean CAP_SYS_ADMIN?"},
	} {
		for _, cmd := range [][]string{{"sim", "--caps", tt.caps, "docker-default", "mount"}, {"compile", "--caps", tt.caps, "-o", os.DevNull, "docker-default"}, {"run", "--caps", tt.caps, "--", "true"}} {
			_, errs, st := cli(t, "", cmd...)
			if st == 0 || !strings.Contains(errs, "--caps: "+tt.want) && !strings.Contains(errs, tt.want) {
				t.Errorf("%q: status %d, stderr %q; want %q", cmd, st, errs, tt.want)
			}
		}
	}
	// Docker's set plus one: CAP_SYS_ADMIN unlocks mount, and Docker's
	// CAP_SYS_CHROOT still unlocks chroot.
	for _, tt := range []struct {
		caps, call, want string
	}{
		{"docker", "mount", "ERRNO(1)"},
		{"docker", "chroot", "ALLOW"},
		{"docker,CAP_SYS_ADMIN", "mount", "ALLOW"},
		{"docker,CAP_SYS_ADMIN", "chroot", "ALLOW"},
		{"CAP_SYS_ADMIN", "chroot", "ERRNO(1)"},
		{"none", "chroot", "ERRNO(1)"},
		{"all", "mount", "ALLOW"},
		{"sys_admin", "mount", "ALLOW"},
	} {
		out, errs, st := cli(t, "", "sim", "--arch", "x86_64", "--caps", tt.caps, "docker-default", tt.call)
		if st != 0 || !strings.HasPrefix(out, "action: "+tt.want+"\n") {
			t.Errorf("--caps %s: %s: status %d, %q, %q; want %s", tt.caps, tt.call, st, out, errs, tt.want)
		}
	}
}

// TestDefaultCapsAgree checks that sim resolves Docker profiles for the
// same capabilities as run: Docker's, whatever this process holds.
func TestDefaultCapsAgree(t *testing.T) {
	out, errs, st := cli(t, "", "sim", "--arch", "x86_64", "docker-default", "mount")
	if st != 0 || !strings.HasPrefix(out, "action: ERRNO(1)\n") {
		t.Errorf("sim docker-default mount: status %d, %q, %q; want ERRNO(1) as run gives", st, out, errs)
	}
	a, _, st1 := cli(t, "", "compile", "--format", "pfc", "--arch", "x86_64", "docker-default")
	b, _, st2 := cli(t, "", "compile", "--format", "pfc", "--arch", "x86_64", "--caps", "docker", "docker-default")
	if st1 != 0 || st2 != 0 || a != b {
		t.Errorf("compile without --caps differs from --caps docker")
	}
}

// TestWarningsNameFileEntries checks that a warning about a Docker
// profile names the entries as the file numbers them, although includes
// left an earlier entry out of the resolved profile.
func TestWarningsNameFileEntries(t *testing.T) {
	p := writeFile(t, "p.json", []byte(`{
	"defaultAction": "SCMP_ACT_ALLOW",
	"syscalls": [
		{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
		{"names": ["getpid"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["getpid"], "action": "SCMP_ACT_KILL"}
	]
}`))
	want := `scmp sim: warning: syscalls[2].names[0]: this rule for getpid never applies: an earlier rule for getpid (syscalls[1]) already decides every call this one matches`
	for _, caps := range []string{"none", "all"} {
		_, errs, st := cli(t, "", "sim", "--arch", "x86_64", "--caps", caps, p, "getpid")
		if st != 0 || !strings.Contains(errs, want) {
			t.Errorf("sim --caps %s: status %d, stderr %q; want it to contain %q", caps, st, errs, want)
		}
	}
}

// TestProfileWarnings checks what is reported on standard error about a
// profile, and that --strict refuses it.
func TestProfileWarnings(t *testing.T) {
	p := writeFile(t, "p.json", []byte(`{
	"defaultAction": "SCMP_ACT_ALLOW",
	"DEFAULTACTION": "SCMP_ACT_ALLOW",
	"syscalls": [
		{"names": ["mount"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["mount"], "action": "SCMP_ACT_KILL", "comentt": "x"}
	]
}`))
	want := []string{
		`scmp sim: warning: DEFAULTACTION (line 3): differs from "defaultAction" only in letter case`,
		`scmp sim: warning: DEFAULTACTION (line 3): defaultAction is given again (first as "defaultAction" on line 2)`,
		`scmp sim: warning: syscalls[1]."comentt" (line 6): no profile format has this key, so it is ignored (runc ignores it too); did you mean "comment"?`,
		`scmp sim: warning: syscalls[1].names[0]: this rule for mount never applies: an earlier rule for mount (syscalls[0]) already decides every call this one matches`,
	}
	out, errs, st := cli(t, "", "sim", "--arch", "x86_64", p, "mount")
	if st != 0 || !strings.HasPrefix(out, "action: ERRNO(1)\n") {
		t.Errorf("sim: status %d, %q, %q", st, out, errs)
	}
	for _, w := range want {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	_, errs, st = cli(t, "", "sim", "--strict", "--arch", "x86_64", p, "mount")
	if st != 1 || !strings.Contains(errs, "--strict: the profile has 3 problems:") || strings.Contains(errs, "warning:") {
		t.Errorf("sim --strict: status %d, stderr %q", st, errs)
	}
	// run reports them too, without -v.
	_, errs, st = cli(t, "", "run", "--strict", "--profile", p, "--", "true")
	if st != exitRunFailed || !strings.Contains(errs, "--strict: the profile has") {
		t.Errorf("run --strict: status %d, stderr %q", st, errs)
	}
}

func TestErrnoRetAndByteOrderMessages(t *testing.T) {
	p := writeFile(t, "p.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 4095}]}`))
	_, errs, st := cli(t, "", "compile", "-o", os.DevNull, p)
	if want := "syscalls[0].errnoRet: 4095 is out of range: libseccomp, and so runc, takes errno values 0 to 4094"; st != 1 || !strings.Contains(errs, want) {
		t.Errorf("errnoRet 4095: status %d, stderr %q", st, errs)
	}
	p = writeFile(t, "p.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_S390X"]}`))
	_, errs, st = cli(t, "", "compile", "-o", os.DevNull, p)
	if st != 1 || !strings.Contains(errs, "mix byte orders (x86_64 and s390x)") || strings.Contains(errs, "out of domain") {
		t.Errorf("mixed profile: status %d, stderr %q", st, errs)
	}
	_, errs, st = cli(t, "", "compile", "--arch", "x86_64,s390x", "-o", os.DevNull, "docker-default")
	if st != 2 || !strings.Contains(errs, "x86_64 and s390x have different byte orders") {
		t.Errorf("--arch x86_64,s390x: status %d, stderr %q", st, errs)
	}
}

// TestHelpProfileFlags checks that the commands that read profiles say
// how to name the built-in one and a file of that name, the default
// capability set and the size limit.
func TestHelpProfileFlags(t *testing.T) {
	for _, c := range []string{"compile", "sim", "run"} {
		out, _, st := cli(t, "", c, "--help")
		for _, want := range []string{"docker-default", "./docker-default", "4 MiB", "--caps LIST", "(default docker)", "--strict"} {
			if st != 0 || !strings.Contains(out, want) {
				t.Errorf("%s --help lacks %q", c, want)
			}
		}
	}
	out, _, _ := cli(t, "", "disasm", "--help")
	if !strings.Contains(out, "4096 instructions") {
		t.Errorf("disasm --help does not give the limit:\n%s", out)
	}
}

func TestRenumberEntries(t *testing.T) {
	double := func(n int) int { return 2 * n }
	for _, tc := range []struct {
		in, out string
		found   bool
	}{
		{"", "", false},
		{"syscalls", "syscalls", false},
		{"syscalls[]", "syscalls[]", false},
		{"syscalls[3", "syscalls[3", false},
		{"syscalls[x]", "syscalls[x]", false},
		{"syscalls[3]", "syscalls[6]", true},
		{"syscalls[0].names[1]", "syscalls[0].names[1]", true},
		{"syscalls[12].args[0]: like syscalls[5] and syscalls[[7]", "syscalls[24].args[0]: like syscalls[10] and syscalls[[7]", true},
		{"syscalls[99999999999999999999]", "syscalls[99999999999999999999]", false},
	} {
		out, found := renumberEntries(tc.in, double)
		if out != tc.out || found != tc.found {
			t.Errorf("renumberEntries(%q) = %q, %v; want %q, %v", tc.in, out, found, tc.out, tc.found)
		}
	}
}
