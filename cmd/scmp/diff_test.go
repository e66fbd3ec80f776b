package main

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/verify"
	"github.com/seccomp-go/seccomp/oci"
)

// changedDocker returns Docker's default profile without its rule that
// allows personality(0x8), with acct allowed, and with clone's flag mask
// loosened.
func changedDocker(t testing.TB) []byte {
	var p map[string]any
	if err := json.Unmarshal(oci.DefaultProfile, &p); err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, s := range p["syscalls"].([]any) {
		m := s.(map[string]any)
		names := m["names"].([]any)
		if names[0] == "personality" {
			if args, ok := m["args"].([]any); ok && args[0].(map[string]any)["value"].(float64) == 8 {
				continue
			}
		}
		if names[0] == "clone" {
			if args, ok := m["args"].([]any); ok {
				args[0].(map[string]any)["value"] = float64(0x7e000000)
			}
		}
		out = append(out, s)
	}
	out = append(out, map[string]any{"names": []string{"acct"}, "action": "SCMP_ACT_ALLOW"})
	p["syscalls"] = out
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const diffArches = "x86_64,x86,x32"

func TestDiffProfileAndItsFilter(t *testing.T) {
	dir := t.TempDir()
	for _, arches := range []string{diffArches, "aarch64,arm", "s390x", "mipsel64,mipsel64n32,mipsel"} {
		out := filepath.Join(dir, arches+".bpf")
		if _, errs, st := cli(t, "", "compile", "--kernel", "6.1", "--arch", arches, "-o", out, "docker-default"); st != 0 {
			t.Fatalf("compile: %s", errs)
		}
		stdout, errs, st := cli(t, "", "diff", "--kernel", "6.1", "--arch", arches, "docker-default", out)
		if st != 0 || stdout != "" {
			t.Errorf("%s: docker-default and its filter: status %d, output %q, stderr %q", arches, st, stdout, errs)
		}
		stdout, _, st = cli(t, "", "diff", "--json", "--arch", arches, out, out)
		if st != 0 || !strings.Contains(stdout, `"equal": true`) || !strings.Contains(stdout, `"differences": []`) {
			t.Errorf("%s: --json of equal filters: status %d, %s", arches, st, stdout)
		}
	}
}

func TestDiffDockerChanged(t *testing.T) {
	changed := writeFile(t, "changed.json", changedDocker(t))
	stdout, errs, st := cli(t, "", "diff", "--kernel", "6.1", "--arch", diffArches, "docker-default", changed)
	if st != 1 {
		t.Fatalf("status %d, want 1; stderr %s", st, errs)
	}
	for _, want := range []string{
		"x86_64 personality: arg0 = 0x8: A ALLOW, B ERRNO(EPERM)\n",
		"x86 personality: arg0 = 0x8: A ALLOW, B ERRNO(EPERM)\n",
		"x32 personality: arg0 = 0x8: A ALLOW, B ERRNO(EPERM)\n",
		"x86_64 acct: A ERRNO(EPERM), B ALLOW\n",
		"x86 acct: A ERRNO(EPERM), B ALLOW\n",
		"x32 acct: A ERRNO(EPERM), B ALLOW\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "architectures") {
		t.Errorf("both filters cover the same architectures, yet:\n%s", stdout)
	}
	// Swapping the inputs swaps the decisions.
	back, _, st := cli(t, "", "diff", "--kernel", "6.1", "--arch", diffArches, changed, "docker-default")
	if st != 1 || !strings.Contains(back, "x86_64 acct: A ALLOW, B ERRNO(EPERM)\n") {
		t.Errorf("reversed: status %d:\n%s", st, back)
	}
	if strings.Count(back, "\n") != strings.Count(stdout, "\n") {
		t.Errorf("%d lines one way, %d the other", strings.Count(stdout, "\n"), strings.Count(back, "\n"))
	}
}

// TestDiffJSONAgreesWithFilters checks every line of --json against the
// compiled filters: on the first and last syscall of its range, with
// every constrained word at its smallest value, the filters decide as
// the line says.
func TestDiffJSONAgreesWithFilters(t *testing.T) {
	dir := t.TempDir()
	changed := writeFile(t, "changed.json", changedDocker(t))
	files := [2]string{filepath.Join(dir, "a.bpf"), filepath.Join(dir, "b.bpf")}
	for i, in := range []string{"docker-default", changed} {
		if _, errs, st := cli(t, "", "compile", "--kernel", "6.1", "--arch", diffArches, "-o", files[i], in); st != 0 {
			t.Fatal(errs)
		}
	}
	stdout, errs, st := cli(t, "", "diff", "--json", files[0], files[1])
	if st != 1 {
		t.Fatalf("status %d: %s", st, errs)
	}
	var got struct {
		Equal       bool
		Differences []struct {
			Arch        string
			Token       uint32
			First, Last uint32
			Fields      map[string]verify.WordSet
			A           struct{ Value uint32 } `json:"a"`
			B           struct{ Value uint32 } `json:"b"`
		}
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Equal || len(got.Differences) == 0 {
		t.Fatalf("equal %v, %d differences", got.Equal, len(got.Differences))
	}
	var progs [2]bpf.Program
	for i, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if progs[i], err = bpf.Unmarshal(raw, binary.LittleEndian); err != nil {
			t.Fatal(err)
		}
	}
	first := func(s verify.WordSet) uint32 {
		for v := s.Lo; ; v++ {
			if s.Contains(v) || v == s.Hi {
				return v
			}
		}
	}
	for _, d := range got.Differences {
		a, ok := arch.Lookup(d.Arch)
		if !ok || a.Token != d.Token {
			t.Fatalf("difference %+v: unknown architecture", d)
		}
		for _, nr := range []uint32{d.First, d.Last} {
			in := bpf.Data{Arch: d.Token, Nr: int32(nr)}
			for name, s := range d.Fields {
				field, half, _ := strings.Cut(name, ".")
				v := uint64(first(s))
				if half == "hi" {
					v <<= 32
				}
				if field == "ip" {
					in.InstructionPointer |= v
					continue
				}
				n, err := strconv.Atoi(strings.TrimPrefix(field, "arg"))
				if err != nil {
					t.Fatalf("field %q", name)
				}
				in.Args[n] |= v
			}
			for i, want := range []uint32{d.A.Value, d.B.Value} {
				ret, _, err := progs[i].Run(in, a.ByteOrder())
				if err != nil || ret != want {
					t.Errorf("difference %+v: filter %d returns %#x on %+v, want %#x (%v)", d, i, ret, in, want, err)
				}
			}
		}
	}
}

func TestDiffOtherArchitectures(t *testing.T) {
	filter := func(bad uint32) string {
		p := bpf.Program{
			bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
			bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, arch.AArch64.Token, 1, 0),
			bpf.Stmt(bpf.RET|bpf.K, bad),
			bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
		}
		return writeFile(t, "f.bpf", p.Marshal(binary.LittleEndian))
	}
	stdout, errs, st := cli(t, "", "diff", filter(bpf.RetKillProcess), filter(bpf.RetErrno|38))
	// ENOSYS has other numbers on MIPS and PA-RISC: without an
	// architecture, 38 is not named.
	want := "architectures other than aarch64: A KILL_PROCESS, B ERRNO(38)\n"
	if st != 1 || stdout != want {
		t.Errorf("status %d, output %q, want %q (%s)", st, stdout, want, errs)
	}
}

func TestDiffErrors(t *testing.T) {
	good := writeFile(t, "p.json", []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`))
	for _, args := range [][]string{
		{"diff"},
		{"diff", good},
		{"diff", good, good, good},
		{"diff", "--arch", "vax", good, good},
		{"diff", "--caps", "CAP_NOPE", good, good},
		{"diff", good, filepath.Join(t.TempDir(), "missing.json")},
		{"diff", good, writeFile(t, "bad.json", []byte(`{"defaultAction":"SCMP_ACT_NOPE"}`))},
		{"diff", good, writeFile(t, "odd.bpf", []byte{1, 2, 3})},
		{"diff", "-", "-"},
	} {
		_, errs, st := cli(t, "", args...)
		if st != exitTrouble || errs == "" {
			t.Errorf("%q: status %d, stderr %q; want %d and a message", args, st, errs, exitTrouble)
		}
	}
}

func BenchmarkDiffDocker(b *testing.B) {
	changed := filepath.Join(b.TempDir(), "changed.json")
	if err := os.WriteFile(changed, changedDocker(b), 0o644); err != nil {
		b.Fatal(err)
	}
	args := []string{"diff", "--kernel", "6.1", "--arch", diffArches, "docker-default", changed}
	for range b.N {
		var out, errb strings.Builder
		if st := runWithInput(args, strings.NewReader(""), &out, &errb); st != 1 {
			b.Fatalf("status %d: %s", st, errb.String())
		}
	}
}

// BenchmarkDiffDockerFilters measures the comparison alone, on the
// compiled filters of BenchmarkDiffDocker.
func BenchmarkDiffDockerFilters(b *testing.B) {
	var progs [2]bpf.Program
	for i, in := range [][]byte{oci.DefaultProfile, changedDocker(b)} {
		arches, err := parseArchList(diffArches)
		if err != nil {
			b.Fatal(err)
		}
		f, used, _, err := compileProfile(in, arches, true, profileOptions{caps: defaultCaps, kernel: "6.1"})
		if err != nil {
			b.Fatal(err)
		}
		raw, err := f.ExportBPFMem()
		f.Release()
		if err != nil {
			b.Fatal(err)
		}
		if progs[i], err = bpf.Unmarshal(raw, used[0].abi.ByteOrder()); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for range b.N {
		regions, _, err := verify.Diff(progs[0], progs[1])
		if err != nil || len(describeRegions(regions)) == 0 {
			b.Fatalf("%d regions, %v", len(regions), err)
		}
	}
}

func TestDiffFieldTerms(t *testing.T) {
	anyWord := verify.WordSet{Hi: 0xffffffff}
	fixed := func(v uint32) verify.WordSet { return verify.WordSet{Lo: v, Hi: v} }
	masked := verify.WordSet{Hi: 0xffffffff, Masked: []verify.Cond{{Mask: 0xf0, Op: "==", Value: 0x10}}}
	tests := []struct {
		hi, lo verify.WordSet
		bits   int
		want   string
	}{
		{anyWord, anyWord, 64, ""},
		{fixed(0), fixed(8), 64, "arg0 = 0x8"},
		{fixed(1), fixed(8), 64, "arg0 = 0x100000008"},
		{anyWord, fixed(8), 32, "arg0 = 0x8"},
		{anyWord, fixed(8), 64, "arg0.lo = 0x8"},
		{fixed(0), verify.WordSet{Lo: 1, Hi: 0xfffffffe, Except: []uint32{8}}, 64, "0x1 <= arg0 <= 0xfffffffe, arg0 != 0x8"},
		{fixed(0), verify.WordSet{Lo: 0, Hi: 8, Except: []uint32{1, 2, 3, 4, 5, 6, 7}}, 64, "arg0 in {0x0, 0x8}"},
		{fixed(0), anyWord, 64, "arg0 <= 0xffffffff"},
		{verify.WordSet{Lo: 1, Hi: 0xffffffff}, anyWord, 64, "arg0.hi >= 0x1"},
		{anyWord, masked, 64, "arg0 & 0xf0 = 0x10"},
		{masked, fixed(0), 64, "arg0 & 0xf000000000 = 0x1000000000, arg0.lo = 0x0"},
	}
	for _, tt := range tests {
		if got := strings.Join(fieldTerms("arg0", tt.hi, tt.lo, tt.bits), ", "); got != tt.want {
			t.Errorf("hi %+v lo %+v (%d bits): %q, want %q", tt.hi, tt.lo, tt.bits, got, tt.want)
		}
	}
}
