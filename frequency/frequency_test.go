package frequency

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The strace samples in testdata were recorded with strace 6.1 on
// x86_64 (Linux 6.x):
//
//	strace-f-c-32bit.txt          strace -f -c -o F sh -c './t64; ./t32; ./tx32; true'
//	strace-f-c-S-calls-32bit.txt  strace -f -c -S calls -o F sh -c './t32; ./t64'
//	strace-C-f.txt                strace -C -f -o F ./t64
//	strace-c-S-calls-w.txt        strace -c -S calls -w -o F ./t64
//	strace-c-U.txt                strace -c -U name,calls,errors,max-time -o F ./t64
//	strace-c-stderr.txt           strace -c ls -la /usr 2>&1 (the listing, then the summary)
//	strace-f-c-redis-server.txt   strace -f -c of redis-server under redis-benchmark
//	                              (-n 20000 -c 20, nine tests) on 127.0.0.1
//	strace-f-c-python-http-server.txt
//	                              strace -f -c of python3 -m http.server serving
//	                              4500 requests from 127.0.0.1 (a thread each)
//
// t64, t32 and tx32 are one small C program (open, read, close and
// getpid 50 times) built with gcc, gcc -m32 and gcc -mx32; the kernel
// runs no x32 binaries, so that section is absent.

// totals returns the calls column of each "total" row of an strace
// sample, read independently of the parser: the field before the errors
// column, or the last numeric field before "total".
func totals(t *testing.T, data string) []uint64 {
	t.Helper()
	var out []uint64
	for _, l := range strings.Split(data, "\n") {
		f := strings.Fields(l)
		if len(f) < 3 || f[len(f)-1] != "total" {
			continue
		}
		// % time, seconds, usecs/call, calls, [errors,] total.
		n, err := strconv.ParseUint(f[3], 10, 64)
		if err != nil {
			t.Fatalf("total row %q: %v", l, err)
		}
		out = append(out, n)
	}
	return out
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStraceSamples parses every strace sample and checks that each
// table's counts add up to its total row, and the personalities.
func TestStraceSamples(t *testing.T) {
	files, err := filepath.Glob("testdata/strace-*.txt")
	if err != nil || len(files) < 6 {
		t.Fatalf("samples: %v %v", files, err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			data := readSample(t, name)
			m, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if m.Format != FormatStrace {
				t.Fatalf("format %s", m.Format)
			}
			want := totals(t, string(data))
			if name == "strace-c-U.txt" {
				want = nil // -U without the time columns has no total row
			}
			if want != nil && len(want) != len(m.Sections) {
				t.Fatalf("%d sections, %d total rows", len(m.Sections), len(want))
			}
			for i, s := range m.Sections {
				if len(s.Counts) == 0 {
					t.Errorf("section %d is empty", i)
				}
				if want != nil && s.Total() != want[i] {
					t.Errorf("section %d (%q): counts add up to %d, total row says %d", i, s.Mode, s.Total(), want[i])
				}
				for n := range s.Counts {
					if s.Lines[n] == 0 {
						t.Errorf("%s has no line", n)
					}
				}
			}
			if strings.Contains(name, "32bit") {
				if len(m.Sections) != 2 || m.Sections[0].Mode != "" || m.Sections[1].Mode != "32 bit" {
					t.Fatalf("sections %+v, want the native one and 32 bit", m.Sections)
				}
				// The 32-bit program's 50 getpid calls are in its
				// own table, the shell's and the 64-bit one's in
				// the first.
				if g := m.Sections[1].Counts["getpid"]; g != 50 {
					t.Errorf("32-bit getpid: %d calls, want 50", g)
				}
				if _, ok := m.Sections[1].Counts["mmap2"]; !ok {
					t.Errorf("32-bit table without mmap2")
				}
			}
		})
	}
}

// TestStraceUnderscoreColumns checks a table with a blank errors column
// followed by another column (strace -U name,calls,errors,max-time).
func TestStraceUnderscoreColumns(t *testing.T) {
	m, err := Parse(readSample(t, "strace-c-U.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s := m.Sections[0]
	if s.Counts["getpid"] != 50 || s.Counts["close"] != 52 {
		t.Errorf("counts %v", s.Counts)
	}
}

// TestMinijail checks the Minijail format: comments, blank lines, names
// given twice.
func TestMinijail(t *testing.T) {
	m, err := Parse(readSample(t, "minijail.frequency"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != FormatMinijail || len(m.Sections) != 1 {
		t.Fatalf("%+v", m)
	}
	s := m.Sections[0]
	if s.Counts["read"] != 9500 || s.Counts["futex"] != 77405 || len(s.Counts) != 5 {
		t.Errorf("counts %v", s.Counts)
	}
	if s.Lines["read"] != 3 || s.Lines["sendto"] != 8 {
		t.Errorf("lines %v", s.Lines)
	}
	if got := s.Names(); got[0] != "futex" || got[len(got)-1] != "poll" {
		t.Errorf("names by frequency: %v", got)
	}
}

// TestParseErrors checks that bad input gets an error naming its line.
func TestParseErrors(t *testing.T) {
	table := "% time     seconds  usecs/call     calls    errors syscall\n" +
		"------ ----------- ----------- --------- --------- ----------------\n"
	for _, c := range []struct{ in, want string }{
		{"read: 1\nwrite 2\n", "line 2:"},
		{"read: 1\nwrite: many\n", "line 2: the count of write"},
		{"read: -1\n", "line 1:"},
		{"read: 99999999999999999999\n", "line 1:"},
		{"# only a comment\n\n", "no syscall counts"},
		{"", "no syscall counts"},
		{"re-ad: 1\n", "line 1:"},
		{table + " 10.00 0.1 1 12 read\n 1.0 0.1 1\n", "line 4:"},
		{table + " 10.00 0.1 1 x read\n", "line 3: the calls of read"},
		{table + " 10.00 0.1 1 2 3 4 5 read\n", "line 3:"},
		{"strace: Process 1 attached\n" + table + " 10.00 0.1 1 12 r?ad\n", "line 4:"},
	} {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q): %v, want an error with %q", c.in, err, c.want)
		}
	}
	big := make([]byte, MaxSize+1)
	if _, err := Parse(big); !errors.Is(err, ErrTooLarge) {
		t.Errorf("input over MaxSize: %v", err)
	}
	var many strings.Builder
	for i := range MaxNames + 1 {
		many.WriteString("s" + strconv.Itoa(i) + ": 1\n")
	}
	if _, err := Parse([]byte(many.String())); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("too many names: %v", err)
	}
}

// TestCheck checks the report of unknown names.
func TestCheck(t *testing.T) {
	m, err := Parse([]byte("read: 5\nsyscall_0x1c3: 2\nwrite: 1\nfrobnicate: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	known := func(mode, name string) bool { return name == "read" || name == "write" }
	err = m.Check(known)
	var ue *UnknownError
	if !errors.As(err, &ue) || len(ue.Names) != 2 || ue.Names[0].Name != "syscall_0x1c3" || ue.Names[1].Line != 4 {
		t.Fatalf("Check: %v", err)
	}
	if !strings.Contains(err.Error(), "syscall_0x1c3 (line 2)") || !strings.Contains(err.Error(), "delete those lines") {
		t.Errorf("message %q", err)
	}
	if err := m.Check(func(string, string) bool { return true }); err != nil {
		t.Errorf("all known: %v", err)
	}
}

// TestArch checks the personalities of strace's tables.
func TestArch(t *testing.T) {
	for _, c := range []struct {
		native, mode, want string
		ok                 bool
	}{
		{"x86_64", "", "x86_64", true},
		{"x86_64", "64 bit", "x86_64", true},
		{"x86_64", "32 bit", "x86", true},
		{"x86_64", "x32", "x32", true},
		{"aarch64", "32 bit", "arm", true},
		{"aarch64", "x32", "", false},
		{"riscv64", "32 bit", "", false},
		{"x86_64", "16 bit", "", false},
	} {
		got, ok := Arch(c.native, c.mode)
		if got != c.want || ok != c.ok {
			t.Errorf("Arch(%q, %q) = %q, %v; want %q, %v", c.native, c.mode, got, ok, c.want, c.ok)
		}
	}
}

// FuzzParse checks that Parse never panics and that what it returns is
// consistent: valid names, each with its line, within the limits.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("read: 1\n"))
	f.Add([]byte("System call usage summary for 32 bit mode:\n% time calls syscall\n-- --\n1 2 read\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if m != nil {
				t.Fatal("a Mix with an error")
			}
			return
		}
		if len(m.Sections) > MaxSections {
			t.Fatalf("%d sections", len(m.Sections))
		}
		lines := strings.Count(string(data), "\n") + 1
		for _, s := range m.Sections {
			if len(s.Counts) > MaxNames || len(s.Counts) != len(s.Lines) {
				t.Fatalf("%d names, %d lines", len(s.Counts), len(s.Lines))
			}
			for n := range s.Counts {
				if !validName(n) || s.Lines[n] < 1 || s.Lines[n] > lines {
					t.Fatalf("name %q at line %d", n, s.Lines[n])
				}
			}
		}
	})
}
