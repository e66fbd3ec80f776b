package arch

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Expected lines are what libseccomp's scmp_sys_resolver prints for the
// same arguments.
func TestResolveArgs(t *testing.T) {
	tests := []struct {
		arch    string
		rewrite bool
		args    []string
		want    []string
		err     string // substring of the error; "" for none
	}{
		{"x86", false, []string{"socket"}, []string{"-101"}, ""},
		{"x86", true, []string{"socket"}, []string{"102"}, ""},
		{"mips", true, []string{"shmat"}, []string{"4117"}, ""},
		{"x86_64", false, []string{"-1"}, []string{"UNKNOWN"}, ""},
		{"x86_64", false, []string{"12abc"}, []string{"brk"}, ""},
		{"x86_64", false, []string{"99999999999999999999"}, []string{"UNKNOWN"}, ""},
		{"x86_64", false, []string{"4294967297"}, []string{"write"}, ""},
		{"x86_64", false, []string{"-"}, []string{"read"}, ""},
		{"x32", false, []string{"1"}, []string{"write"}, ""},
		{"x86", false, []string{"-101", "359", "-10060"}, []string{"socket", "socket", "UNKNOWN"}, ""},
		{"aarch64", false, []string{"openat", "56", "open", "-10166"}, []string{"56", "openat", "-10166", "open"}, ""},
		{"x86_64", false, []string{"read", "nosuch", "write", "alsonot"}, nil, `unknown syscalls "nosuch", "alsonot" on x86_64`},
		{"x86_64", false, []string{""}, nil, `unknown syscall "" on x86_64`},
		{"x86_64", false, nil, nil, "no syscall"},
		{"foo", false, []string{"read"}, nil, `unknown architecture "foo"`},
		{"X86_64", false, []string{"read"}, nil, `unknown architecture "X86_64"`},
	}
	for _, tt := range tests {
		got, err := ResolveArgs(tt.arch, tt.rewrite, tt.args)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || got != nil {
				t.Errorf("ResolveArgs(%q, %v, %q) = %q, %v; want error %q", tt.arch, tt.rewrite, tt.args, got, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ResolveArgs(%q, %v, %q) = %q, %v; want %q", tt.arch, tt.rewrite, tt.args, got, err, tt.want)
		}
	}
}

func TestResolveArgsNative(t *testing.T) {
	n := Native()
	if n == nil {
		t.Skip("native ABI not supported")
	}
	got, err := ResolveArgs("", false, []string{"getpid"})
	want, _ := n.SyscallNumber("getpid")
	if err != nil || len(got) != 1 || got[0] != strconv.Itoa(int(want)) {
		t.Errorf("ResolveArgs(native, getpid) = %q, %v; want %d", got, err, want)
	}
}

func TestAtoi(t *testing.T) {
	tests := []struct {
		in   string
		want int32
	}{
		{"0", 0}, {"42", 42}, {"-42", -42}, {"+7", 7}, {" \t12", 12},
		{"12abc", 12}, {"abc", 0}, {"", 0}, {"-", 0},
		{"2147483647", 2147483647}, {"2147483648", -2147483648},
		{"4294967297", 1}, {"-4294967297", -1},
		{"9223372036854775807", -1}, {"99999999999999999999", -1},
		{"-9223372036854775808", 0}, {"-99999999999999999999", 0},
	}
	for _, tt := range tests {
		if got := atoi(tt.in); got != tt.want {
			t.Errorf("atoi(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func FuzzResolveArgs(f *testing.F) {
	for _, s := range []string{"read", "-101", "12abc", "", "-", "99999999999999999999"} {
		f.Add("x86", s, false)
	}
	f.Fuzz(func(t *testing.T, archName, arg string, rewrite bool) {
		lines, err := ResolveArgs(archName, rewrite, []string{arg})
		if err == nil && len(lines) != 1 {
			t.Fatalf("%d lines for one argument", len(lines))
		}
	})
}
