package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/oci"
)

// endless is a file that never ends.
const endless = "/dev/zero"

func requireEndless(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(endless); err != nil {
		t.Skip(err)
	}
}

// limitCases are the commands that read a file, with the message that
// refuses endless input.
var limitCases = []struct {
	args []string
	want string
}{
	{[]string{"compile", "-o", os.DevNull, endless}, endless + " is larger than 4 MiB, the limit for a profile"},
	{[]string{"disasm", endless}, endless + " is larger than 32 KiB, the limit for a BPF filter"},
	{[]string{"sim", endless, "read"}, endless + " is larger than 4 MiB, the limit for a profile"},
	{[]string{"run", "--profile", endless, "--", "true"}, endless + " is larger than 4 MiB, the limit for a profile"},
}

// TestEndlessInput checks that every command refuses input past its
// limit, in this process.
func TestEndlessInput(t *testing.T) {
	requireEndless(t)
	for _, tt := range limitCases {
		_, errs, st := cli(t, "", tt.args...)
		if st == 0 || !strings.Contains(errs, tt.want) {
			t.Errorf("scmp %q: status %d, stderr %q; want %q", tt.args, st, errs, tt.want)
		}
	}
	// Standard input too.
	zeros := strings.Repeat("\x00", maxProfileSize+1)
	for _, args := range [][]string{{"compile", "-o", os.DevNull, "-"}, {"sim", "-", "read"}, {"disasm", "-"}} {
		_, errs, st := cli(t, zeros, args...)
		if st == 0 || !strings.Contains(errs, "standard input is larger than") {
			t.Errorf("scmp %q < zeros: status %d, stderr %q", args, st, errs)
		}
	}
}

// TestEndlessInputBinary runs the command on endless input with a
// deadline, which only turns a hang into a failure, and checks how much
// memory it used at most.
func TestEndlessInputBinary(t *testing.T) {
	requireEndless(t)
	bin := scmpBinary(t)
	for _, tt := range limitCases {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, bin, tt.args...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		timedOut := ctx.Err() != nil
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || timedOut {
			t.Errorf("scmp %q: %v (stderr %q); want a failure status", tt.args, err, errb.String())
			continue
		}
		if !strings.Contains(errb.String(), tt.want) {
			t.Errorf("scmp %q: stderr %q, want %q", tt.args, errb.String(), tt.want)
		}
		// ru_maxrss is in KiB. The limit allows the runtime, the
		// syscall tables and a few copies of a 4 MiB profile.
		ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		if !ok {
			continue
		}
		rss := ru.Maxrss << 10
		t.Logf("scmp %q: peak memory %.1f MiB", tt.args, float64(rss)/(1<<20))
		if rss > 128<<20 {
			t.Errorf("scmp %q used %d MiB of memory", tt.args, rss>>20)
		}
	}
}

// TestProfileAtLimit checks that a profile of just under the limit is
// read, and one byte more is not.
func TestProfileAtLimit(t *testing.T) {
	head := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_ERRNO"}]}`
	ok := head + strings.Repeat(" ", maxProfileSize-len(head))
	p := writeFile(t, "p.json", []byte(ok))
	if _, errs, st := cli(t, "", "sim", p, "getpid"); st != 0 {
		t.Errorf("profile of %d bytes: status %d, %s", len(ok), st, errs)
	}
	p = writeFile(t, "p.json", []byte(ok+" "))
	if _, errs, st := cli(t, "", "sim", p, "getpid"); st != 1 || !strings.Contains(errs, "larger than 4 MiB") {
		t.Errorf("profile of %d bytes: status %d, %s", len(ok)+1, st, errs)
	}
	if _, errs, st := cli(t, ok+" ", "sim", "-", "getpid"); st != 1 || !strings.Contains(errs, "larger than 4 MiB") {
		t.Errorf("profile of %d bytes on stdin: status %d, %s", len(ok)+1, st, errs)
	}
	if maxProfileSize != oci.MaxProfileSize {
		t.Errorf("limit %d, oci's %d", maxProfileSize, oci.MaxProfileSize)
	}
}

// TestFilterAtLimit checks that sim and disasm refuse a raw filter
// longer than the kernel's 4096 instructions.
func TestFilterAtLimit(t *testing.T) {
	ret := []byte{0x06, 0, 0, 0, 0, 0, 0xff, 0x7f} // ret ALLOW, little endian
	full := bytes.Repeat(ret, 4096)
	p := writeFile(t, "f.bpf", full)
	if out, errs, st := cli(t, "", "disasm", "--arch", "x86_64", p); st != 0 || strings.Count(out, "\n") != 4096 {
		t.Errorf("4096 instructions: status %d, %s", st, errs)
	}
	p = writeFile(t, "f.bpf", append(full, ret...))
	for _, args := range [][]string{{"disasm", p}, {"sim", "--arch", "x86_64", p, "read"}} {
		_, errs, st := cli(t, "", args...)
		if st != 1 || !strings.Contains(errs, fmt.Sprint(p, " is larger than 32 KiB, the limit for a BPF filter")) && !strings.Contains(errs, "the most the kernel loads") {
			t.Errorf("%q on 4097 instructions: status %d, %s", args, st, errs)
		}
	}
}
