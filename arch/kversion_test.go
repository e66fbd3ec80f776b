package arch

import "testing"

// TestSyscallSinceEveryABI checks that every syscall of every ABI has a
// release, no older than Linux 1.0 and no newer than the tables.
func TestSyscallSinceEveryABI(t *testing.T) {
	limit, err := ParseKernelVersion(TableVersion)
	if err != nil {
		t.Fatal(err)
	}
	first := KernelVersion{1, 0, 0}
	for _, a := range All() {
		n := 0
		for _, name := range SyscallNames() {
			raw, _ := a.rawNumber(name)
			v, ok := a.SyscallSince(name)
			if ok != (raw >= 0) {
				t.Errorf("%s %s: SyscallSince ok = %v, but its table number is %d", a.Name, name, ok, raw)
				continue
			}
			if !ok {
				continue
			}
			n++
			if v.Compare(first) < 0 || v.Compare(limit) > 0 {
				t.Errorf("%s %s: since %v, outside 1.0 .. %v", a.Name, name, v, limit)
			}
		}
		if n == 0 {
			t.Errorf("%s: no syscall has a release", a.Name)
		}
	}
}

func TestSyscallSinceKnown(t *testing.T) {
	tests := []struct {
		abi  *Arch
		name string
		want string
	}{
		{X86_64, "read", "1.0"},
		{X86_64, "accept4", "2.6.28"},
		{X86_64, "openat2", "5.6"},
		{X86_64, "close_range", "5.9"},
		{X86_64, "clone3", "5.3"},
		{X86_64, "io_uring_setup", "5.1"},
		{X86_64, "pidfd_open", "5.3"},
		{X86_64, "mount_setattr", "5.12"},
		{X86_64, "cachestat", "6.5"},
		{X86_64, "fchmodat2", "6.6"},
		{X86_64, "map_shadow_stack", "6.6"},
		{X86_64, "futex_wake", "6.7"},
		{X86_64, "listmount", "6.8"},
		{X86_64, "lsm_list_modules", "6.8"},
		{X86_64, "mseal", "6.10"},
		{X86_64, "uretprobe", "6.11"},
		{X86_64, "getxattrat", "6.13"},
		{X86_64, "open_tree_attr", "6.15"},
		{X86_64, "file_setattr", "6.17"},
		{X86_64, "arch_prctl", "2.6"},
		{X86, "arch_prctl", "4.12"},
		{X86, "socket", "4.3"},
		{X86, "semget", "5.1"},
		{X86, "socketcall", "1.0"},
		{X86, "clock_gettime64", "5.1"},
		{X86_64, "socket", "2.0"},
		{X32, "read", "3.4"},
		{AArch64, "openat", "3.7"},
		{AArch64, "openat2", "5.6"},
		{RISCV64, "read", "4.15"},
		{RISCV64, "riscv_hwprobe", "6.4"},
		{LoongArch64, "read", "5.19"},
		{ARM, "arm_sync_file_range", "2.6.22"},
		{PPC64LE, "switch_endian", "4.1"},
		{MIPSEL, "cachectl", "2.0"},
	}
	for _, tt := range tests {
		v, ok := tt.abi.SyscallSince(tt.name)
		if !ok || v.String() != tt.want {
			t.Errorf("%s %s: SyscallSince = %v, %v; want %s", tt.abi.Name, tt.name, v, ok, tt.want)
		}
	}
	for _, tt := range []struct {
		abi  *Arch
		name string
	}{{X86_64, "socketcall"}, {AArch64, "open"}, {X86, "arch_prctl_nonexistent"}, {X86_64, "riscv_hwprobe"}} {
		if v, ok := tt.abi.SyscallSince(tt.name); ok {
			t.Errorf("%s %s: SyscallSince = %v, true; want false", tt.abi.Name, tt.name, v)
		}
	}
}

func TestParseKernelVersion(t *testing.T) {
	good := map[string]string{
		"5.4": "5.4", "5.4.120": "5.4", "2.6.32": "2.6.32", "v6.8": "6.8",
		"6.1.0-18-amd64": "6.1", "4.19.0+": "4.19", " 3.10 ": "3.10", "2.6": "2.6",
	}
	for in, want := range good {
		v, err := ParseKernelVersion(in)
		if err != nil || v.String() != want {
			t.Errorf("ParseKernelVersion(%q) = %v, %v; want %s", in, v, err, want)
		}
	}
	for _, in := range []string{"", "5", "five.four", "0.9", "5.256", "-1.2", "5..4"} {
		if v, err := ParseKernelVersion(in); err == nil {
			t.Errorf("ParseKernelVersion(%q) = %v, want an error", in, v)
		}
	}
	a, _ := ParseKernelVersion("2.6.32")
	b, _ := ParseKernelVersion("2.6.4")
	c, _ := ParseKernelVersion("3.0")
	if a.Compare(b) != 1 || b.Compare(a) != -1 || a.Compare(c) != -1 || c.Compare(c) != 0 {
		t.Errorf("Compare: 2.6.32 vs 2.6.4 = %d, 2.6.32 vs 3.0 = %d", a.Compare(b), a.Compare(c))
	}
}

func TestMaxSyscall(t *testing.T) {
	for _, a := range All() {
		hi := a.MaxSyscall()
		name, ok := a.SyscallName(hi)
		if !ok {
			t.Errorf("%s: MaxSyscall %d resolves to no name", a.Name, hi)
			continue
		}
		for _, n := range SyscallNames() {
			if nr, _ := a.SyscallNumber(n); nr > hi && !a.Multiplexes {
				t.Errorf("%s: %s is %d, above MaxSyscall %d (%s)", a.Name, n, nr, hi, name)
			}
		}
	}
	if got := X32.MaxSyscall(); got&x32SyscallBit == 0 {
		t.Errorf("x32 MaxSyscall %#x lacks the x32 bit", got)
	}
	if got := MIPSEL64.MaxSyscall(); got < 5000 {
		t.Errorf("mipsel64 MaxSyscall %d lacks the n64 offset", got)
	}
}
