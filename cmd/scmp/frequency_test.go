package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// simSteps runs "scmp sim" and returns the action and the instructions
// it reports.
func simSteps(t *testing.T, args ...string) (action string, steps int) {
	t.Helper()
	out, errs, st := cli(t, "", append([]string{"sim"}, args...)...)
	if st != 0 {
		t.Fatalf("sim %q: status %d: %s", args, st, errs)
	}
	for _, l := range strings.Split(out, "\n") {
		if a, ok := strings.CutPrefix(l, "action: "); ok {
			action = a
		}
		fmt.Sscanf(l, "instructions: %d", &steps)
	}
	if action == "" || steps == 0 {
		t.Fatalf("sim %q: output %q", args, out)
	}
	return action, steps
}

// TestFrequencyFlag checks --frequency on the commands that compile a
// profile: the filter's layout follows the counts (futex, counted most,
// takes the fewest instructions there is: load and check the
// architecture, load the number, test it, return), and the decisions stay
// the same.
func TestFrequencyFlag(t *testing.T) {
	freq := writeFile(t, "mix.frequency", []byte("# a futex-bound mix\nfutex: 1000000\nread: 10\npersonality: 1\n"))
	base := []string{"--arch", "x86_64", "docker-default"}
	for _, call := range [][]string{{"futex"}, {"read"}, {"personality", "0"}, {"personality", "9"}, {"mount"}, {"clone", "0x7e020000"}} {
		plainAct, plainSteps := simSteps(t, append(base, call...)...)
		act, steps := simSteps(t, append([]string{"--frequency", freq}, append(base, call...)...)...)
		if act != plainAct {
			t.Errorf("sim %s: %s with --frequency, %s without", call[0], act, plainAct)
		}
		if call[0] == "futex" && (steps != 5 || plainSteps <= 5) {
			t.Errorf("sim futex: %d instructions with --frequency, %d without; want 5 and more", steps, plainSteps)
		}
	}

	dir := t.TempDir()
	plainBPF, weightedBPF := filepath.Join(dir, "plain.bpf"), filepath.Join(dir, "weighted.bpf")
	if _, errs, st := cli(t, "", "compile", "--arch", "x86_64", "-o", plainBPF, "docker-default"); st != 0 {
		t.Fatal(errs)
	}
	if _, errs, st := cli(t, "", "compile", "--arch", "x86_64", "--frequency", freq, "-o", weightedBPF, "docker-default"); st != 0 {
		t.Fatal(errs)
	}
	plain, _ := os.ReadFile(plainBPF)
	weighted, _ := os.ReadFile(weightedBPF)
	if bytes.Equal(plain, weighted) || len(weighted) == 0 {
		t.Errorf("compile --frequency gives the same filter")
	}
	if _, steps := simSteps(t, "--arch", "x86_64", weightedBPF, "futex"); steps != 5 {
		t.Errorf("the compiled filter takes %d instructions for futex, want 5", steps)
	}
	if _, errs, st := cli(t, "", "compile", "--verify", "--arch", "x86_64,x86,x32", "--frequency", "../../frequency/testdata/strace-f-c-32bit.txt", "-o", weightedBPF, "docker-default"); st != 0 {
		t.Errorf("compile --verify with a 32-bit table: %s", errs)
	}

	plainGraph, errs, st := cli(t, "", "graph", "--format", "dot", "--arch", "x86_64", "docker-default")
	if st != 0 {
		t.Fatal(errs)
	}
	graph, errs, st := cli(t, "", "graph", "--format", "dot", "--frequency", freq, "--arch", "x86_64", "docker-default")
	if st != 0 {
		t.Fatal(errs)
	}
	if graph == plainGraph {
		t.Errorf("graph --frequency draws the same graph")
	}

	plainExplain, errs, st := cli(t, "", "explain", "--arch", "x86_64", "docker-default", "personality", "9")
	if st != 0 {
		t.Fatal(errs)
	}
	explained, errs, st := cli(t, "", "explain", "--frequency", freq, "--arch", "x86_64", "docker-default", "personality", "9")
	if st != 0 || explained != plainExplain {
		t.Errorf("explain --frequency: status %d, %s\n%s\nwant\n%s", st, errs, explained, plainExplain)
	}
}

// TestFrequencyRun runs a command under a filter laid out for a mix.
func TestFrequencyRun(t *testing.T) {
	requireSeccomp(t)
	requireSh(t)
	freq := writeFile(t, "mix.frequency", []byte("futex: 1000000\nread: 10\n"))
	out, errs, st := cli(t, "", "run", "--frequency", freq, "--profile", "docker-default", "--", "sh", "-c", "echo ran")
	if st != 0 || out != "ran\n" {
		t.Errorf("run --frequency: status %d, stdout %q, stderr %q", st, out, errs)
	}
	bad := writeFile(t, "bad.frequency", []byte("read: 1\nno_such_call: 2\n"))
	if _, errs, st := cli(t, "", "run", "--frequency", bad, "--profile", "docker-default", "--", "true"); st == 0 || !strings.Contains(errs, "no_such_call (line 2)") {
		t.Errorf("run with an unknown name: status %d, %s", st, errs)
	}
}

// TestFrequencyErrors checks the errors of --frequency.
func TestFrequencyErrors(t *testing.T) {
	for _, c := range []struct {
		file, want string
		args       []string
	}{
		{"read: 1\nfrobnicate: 7\n", "frobnicate (line 2)", []string{"--arch", "x86_64"}},
		{"read 1\n", "line 1:", nil},
		{"", "no syscall counts", nil},
		// x86_64's arch_prctl is no aarch64 syscall.
		{"arch_prctl: 3\n", "as syscalls of aarch64", []string{"--arch", "aarch64"}},
		{"System call usage summary for x32 mode:\n% time calls syscall\n------ ----\n1 2 read\n", "x32 mode, which aarch64 has not", []string{"--arch", "aarch64"}},
	} {
		freq := writeFile(t, "f", []byte(c.file))
		for _, cmd := range []string{"compile", "sim", "explain", "graph"} {
			args := append([]string{cmd, "--frequency", freq}, c.args...)
			args = append(args, "docker-default")
			if cmd == "sim" || cmd == "explain" {
				args = append(args, "read")
			}
			_, errs, st := cli(t, "", args...)
			if st == 0 || !strings.Contains(errs, c.want) || !strings.Contains(errs, "--frequency") {
				t.Errorf("%q: status %d, stderr %q; want an error with %q", args, st, errs, c.want)
			}
		}
	}
	if _, errs, st := cli(t, "", "compile", "--frequency", filepath.Join(t.TempDir(), "absent"), "docker-default"); st == 0 || !strings.Contains(errs, "--frequency") {
		t.Errorf("absent file: %d %s", st, errs)
	}
}
