package main

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

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
		{fixed(0), fixed(8), 32, "arg0.hi = 0x0, arg0.lo = 0x8"},
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

// randomProfile returns a random runtime-spec profile for arches.
func randomProfile(r *rand.Rand, arches []string) specs.LinuxSeccomp {
	names := []string{"read", "write", "close", "personality", "clone", "socket", "ioctl", "mmap", "prctl", "futex", "openat", "kill", "getpid", "fcntl", "dup3", "setns", "umask", "socketcall"}
	acts := []specs.LinuxSeccompAction{specs.ActAllow, specs.ActErrno, specs.ActKillProcess, specs.ActTrap, specs.ActLog, specs.ActKillThread}
	ops := []specs.LinuxSeccompOperator{specs.OpEqualTo, specs.OpNotEqual, specs.OpLessThan, specs.OpLessEqual, specs.OpGreaterThan, specs.OpGreaterEqual, specs.OpMaskedEqual}
	vals := []uint64{0, 1, 2, 8, 0x10, 0x20000, 0x7fffffff, 0xffffffff, 0x100000000, 0xffffffffffffffff}
	errno := func() *uint { e := uint([]int{1, 13, 38}[r.IntN(3)]); return &e }
	p := specs.LinuxSeccomp{DefaultAction: acts[r.IntN(len(acts))]}
	if p.DefaultAction == specs.ActErrno {
		p.DefaultErrnoRet = errno()
	}
	for _, a := range arches {
		p.Architectures = append(p.Architectures, specs.Arch("SCMP_ARCH_"+strings.ToUpper(a)))
	}
	for range 1 + r.IntN(8) {
		s := specs.LinuxSyscall{Action: acts[r.IntN(len(acts))]}
		for range 1 + r.IntN(2) {
			s.Names = append(s.Names, names[r.IntN(len(names))])
		}
		if s.Action == specs.ActErrno {
			s.ErrnoRet = errno()
		}
		for range r.IntN(3) {
			arg := specs.LinuxSeccompArg{Index: uint(r.IntN(3)), Value: vals[r.IntN(len(vals))], Op: ops[r.IntN(len(ops))]}
			if arg.Op == specs.OpMaskedEqual {
				arg.ValueTwo = arg.Value & []uint64{0xff, 0xf0, 1, 0xffff0000, 0xffffffff00000000}[r.IntN(5)]
			}
			s.Args = append(s.Args, arg)
		}
		p.Syscalls = append(p.Syscalls, s)
	}
	return p
}

// changeProfile returns p with one entry changed or left out.
func changeProfile(r *rand.Rand, p specs.LinuxSeccomp) specs.LinuxSeccomp {
	q := p
	q.Syscalls = slices.Clone(p.Syscalls)
	i := r.IntN(len(q.Syscalls))
	s := q.Syscalls[i]
	switch r.IntN(3) {
	case 0:
		q.Syscalls = slices.Delete(q.Syscalls, i, i+1)
	case 1:
		s.Action = specs.ActAllow
		if p.Syscalls[i].Action == specs.ActAllow {
			s.Action = specs.ActKillProcess
		}
		q.Syscalls[i] = s
	default:
		s.Args = slices.Clone(s.Args)
		if len(s.Args) == 0 {
			s.Args = append(s.Args, specs.LinuxSeccompArg{Index: 1, Op: specs.OpEqualTo})
		}
		s.Args[0].Value ^= 1
		if s.Args[0].Op == specs.OpMaskedEqual {
			s.Args[0].ValueTwo = s.Args[0].Value
		}
		q.Syscalls[i] = s
	}
	return q
}

// diffReport is the --json output, as a program reads it.
type diffReport struct {
	Equal       bool
	Differences []struct {
		Arch        string
		Token       uint32
		First, Last uint32
		Fields      map[string]verify.WordSet
		A           struct{ Value uint32 } `json:"a"`
		B           struct{ Value uint32 } `json:"b"`
		Example     *diffExample
	}
}

// fieldWord returns the index of the 32-bit word of seccomp_data a field
// of the --json output names, in byte order order.
func fieldWord(t *testing.T, name string, order binary.ByteOrder) int {
	switch name {
	case "nr":
		return 0
	case "arch":
		return 1
	}
	if strings.HasPrefix(name, "data[") {
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "data["), "]"))
		if err != nil {
			t.Fatalf("field %q", name)
		}
		return n / 4
	}
	field, half, _ := strings.Cut(name, ".")
	i := 2
	if field != "ip" {
		n, err := strconv.Atoi(strings.TrimPrefix(field, "arg"))
		if err != nil {
			t.Fatalf("field %q", name)
		}
		i = 4 + 2*n
	}
	if (half == "hi") != (order == binary.BigEndian) {
		i++
	}
	return i
}

// TestDiffRandomProfiles runs scmp diff on pairs of random profiles and
// checks every line it reports with the interpreter on both compiled
// filters, at the first and last syscall of its range and at the
// smallest, largest and random members of each field, and checks that
// random inputs outside every line get one decision from both filters.
func TestDiffRandomProfiles(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	dir := t.TempDir()
	groups := [][]string{{"x86_64", "x86", "x32"}, {"aarch64", "arm"}, {"s390x", "s390"}, {"mipsel64", "mipsel64n32", "mipsel"}, {"ppc64le"}}
	var lines, points, pairs, iter int
	for ; pairs < 60; iter++ {
		if iter > 1000 {
			t.Fatalf("only %d of 1000 random pairs of profiles compile", pairs)
		}
		arches := groups[iter%len(groups)]
		pa := randomProfile(r, arches)
		pb := changeProfile(r, pa)
		if iter%4 == 3 {
			pb = randomProfile(r, arches)
		}
		var files, bpfs, texts [2]string
		var progs [2]bpf.Program
		abi, _ := arch.Lookup(arches[0])
		order := abi.ByteOrder()
		compiled := true
		for i, p := range []specs.LinuxSeccomp{pa, pb} {
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			files[i] = writeFile(t, "p.json", b)
			texts[i] = string(b)
			bpfs[i] = filepath.Join(dir, strconv.Itoa(iter)+"-"+strconv.Itoa(i)+".bpf")
			if _, _, st := cli(t, "", "compile", "-o", bpfs[i], files[i]); st != 0 {
				// Random entries may conflict; the profile is invalid.
				compiled = false
				break
			}
			raw, err := os.ReadFile(bpfs[i])
			if err != nil {
				t.Fatal(err)
			}
			if progs[i], err = bpf.Unmarshal(raw, order); err != nil {
				t.Fatal(err)
			}
		}
		if !compiled {
			continue
		}
		pairs++
		stdout, errs, st := cli(t, "", "diff", "--json", files[0], files[1])
		var rep diffReport
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%v: %s %s", err, stdout, errs)
		}
		if want := map[bool]int{true: 0, false: 1}[len(rep.Differences) == 0]; st != want || rep.Equal != (st == 0) {
			t.Fatalf("status %d, equal %v, %d differences", st, rep.Equal, len(rep.Differences))
		}
		// Profile and filter compare as the two profiles do.
		if st2 := runWithInput([]string{"diff", files[0], bpfs[1]}, strings.NewReader(""), io.Discard, io.Discard); st2 != st {
			t.Fatalf("profile vs filter: status %d, profiles: %d", st2, st)
		}
		decide := func(w [verify.NumWords]uint32) (uint32, uint32) {
			d := verify.DataOf(w, order)
			ra, _, err := progs[0].Run(d, order)
			if err != nil {
				t.Fatal(err)
			}
			rb, _, err := progs[1].Run(d, order)
			if err != nil {
				t.Fatal(err)
			}
			return ra, rb
		}
		covers := func(k int, w [verify.NumWords]uint32) bool {
			l := rep.Differences[k]
			if l.Arch != "" && w[1] != l.Token || w[0] < l.First || w[0] > l.Last {
				return false
			}
			for name, s := range l.Fields {
				if !s.Contains(w[fieldWord(t, name, order)]) {
					return false
				}
			}
			return true
		}
		for k, l := range rep.Differences {
			lines++
			for range 8 {
				var w [verify.NumWords]uint32
				for j := range w {
					w[j] = r.Uint32()
				}
				w[0] = []uint32{l.First, l.Last, l.First + uint32(r.Uint64N(uint64(l.Last-l.First)+1))}[r.IntN(3)]
				if l.Arch != "" {
					w[1] = l.Token
				}
				var example [verify.NumWords]uint32
				if l.Example != nil {
					e := l.Example
					example = verify.Words(bpf.Data{Nr: int32(e.Nr), Arch: e.Arch, InstructionPointer: e.IP, Args: e.Args}, order)
					if !covers(k, example) {
						t.Fatalf("line %+v does not cover its example", l)
					}
				} else if l.Arch != "" {
					t.Fatalf("line %+v has no example", l)
				}
				for name, s := range l.Fields {
					vals := members(s, r)
					if l.Example != nil {
						vals = append(vals, example[fieldWord(t, name, order)])
					}
					if len(vals) == 0 {
						t.Fatalf("line %+v: no member found in field %s", l, name)
					}
					w[fieldWord(t, name, order)] = vals[r.IntN(len(vals))]
				}
				if !covers(k, w) {
					t.Fatalf("line %+v does not cover its own point %#x", l, w)
				}
				points++
				if ra, rb := decide(w); ra != l.A.Value || rb != l.B.Value {
					t.Fatalf("profiles %s and %s, line %+v: input %+v gives %#x and %#x", texts[0], texts[1], l, verify.DataOf(w, order), ra, rb)
				}
			}
		}
		// Inputs outside the lines.
		for range 300 {
			var w [verify.NumWords]uint32
			a, _ := arch.Lookup(arches[r.IntN(len(arches))])
			w[1] = a.Token
			if r.IntN(10) == 0 {
				w[1] = r.Uint32()
			}
			name := []string{"read", "personality", "clone", "socket", "ioctl", "prctl", "futex", "socketcall", "kill"}[r.IntN(9)]
			if nr, ok := a.SyscallNumber(name); ok && nr >= 0 {
				w[0] = uint32(nr) + uint32(r.IntN(2))
			} else {
				w[0] = r.Uint32N(500)
			}
			d := verify.DataOf(w, order)
			for j := range d.Args {
				d.Args[j] = []uint64{0, 1, 2, 8, 9, 0x10, 0x20000, 0xffffffff, 0x100000000, 0xffffffffffffffff}[r.IntN(10)]
			}
			w = verify.Words(d, order)
			in := -1
			for k := range rep.Differences {
				if covers(k, w) {
					if in >= 0 {
						t.Fatalf("lines %d and %d both cover %+v", in, k, d)
					}
					in = k
				}
			}
			points++
			ra, rb := decide(w)
			switch {
			case in < 0 && ra != rb:
				t.Fatalf("profiles %s and %s: input %+v outside every line gives %#x and %#x", texts[0], texts[1], d, ra, rb)
			case in >= 0 && (ra != rep.Differences[in].A.Value || rb != rep.Differences[in].B.Value):
				t.Fatalf("input %+v in line %+v gives %#x and %#x", d, rep.Differences[in], ra, rb)
			}
		}
	}
	t.Logf("%d pairs of profiles (%d generated): %d lines, %d points checked", pairs, iter, lines, points)
}

// members returns the smallest and largest members of s (found within a
// bounded search) and a few random ones.
func members(s verify.WordSet, r *rand.Rand) []uint32 {
	var out []uint32
	for v, n := uint64(s.Lo), 0; v <= uint64(s.Hi) && n < 4096; v, n = v+1, n+1 {
		if s.Contains(uint32(v)) {
			out = append(out, uint32(v))
			break
		}
	}
	for v, n := int64(s.Hi), 0; v >= int64(s.Lo) && n < 4096; v, n = v-1, n+1 {
		if s.Contains(uint32(v)) {
			out = append(out, uint32(v))
			break
		}
	}
	for range 64 {
		v := s.Lo + uint32(r.Uint64N(uint64(s.Hi-s.Lo)+1))
		if s.Contains(v) {
			out = append(out, v)
		}
	}
	return out
}

// TestDiffInstructionPointer compares a filter that tests the
// instruction pointer with one that does not.
func TestDiffInstructionPointer(t *testing.T) {
	a := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, arch.AArch64.Token, 1, 0),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetInstructionPointer),
		bpf.Jump(bpf.JMP|bpf.JGE|bpf.K, 0x1000, 0, 1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	}
	b := slices.Clone(a)
	b[5].K = bpf.RetAllow
	fa := writeFile(t, "a.bpf", a.Marshal(binary.LittleEndian))
	fb := writeFile(t, "b.bpf", b.Marshal(binary.LittleEndian))
	stdout, errs, st := cli(t, "", "diff", "--arch", "aarch64", fa, fb)
	// Every syscall number, from io_setup (0) to the table's last.
	top := uint32(arch.AArch64.MaxSyscall())
	last, _ := syscallNamesIn(arch.AArch64, top, top)
	want := "aarch64 0-0xffffffff (io_setup.." + last + "): ip.lo >= 0x1000: A ERRNO(EPERM), B ALLOW\n"
	if st != 1 || stdout != want {
		t.Errorf("status %d, output %q, want %q (%s)", st, stdout, want, errs)
	}
}

// TestDiffHighHalfOn32Bit compares, on x86, a filter that tests the high
// half of an argument for one syscall and not for another with one that
// allows both: the two lines must keep their own fields.
func TestDiffHighHalfOn32Bit(t *testing.T) {
	a := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, arch.X86.Token, 1, 0),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 5, 3, 0),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 6, 0, 5),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArgs+4),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 0, 0, 3),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArgs),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 8, 0, 1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	}
	b := bpf.Program{bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow)}
	fa := writeFile(t, "a.bpf", a.Marshal(binary.LittleEndian))
	fb := writeFile(t, "b.bpf", b.Marshal(binary.LittleEndian))
	stdout, errs, st := cli(t, "", "diff", "--arch", "x86", fa, fb)
	want := "x86 open: arg0 = 0x8: A ERRNO(EPERM), B ALLOW\n" +
		"x86 close: arg0.hi = 0x0, arg0.lo = 0x8: A ERRNO(EPERM), B ALLOW\n" +
		"architectures other than x86: A KILL_PROCESS, B ALLOW\n"
	if st != 1 || stdout != want {
		t.Errorf("status %d, output %q, want %q (%s)", st, stdout, want, errs)
	}
}
