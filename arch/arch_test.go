package arch

import (
	"encoding/binary"
	"testing"
)

// TestArchFacts checks each ABI against the kernel's AUDIT_ARCH_* values
// (linux/audit.h) and libseccomp's arch definitions.
func TestArchFacts(t *testing.T) {
	tests := []struct {
		a          *Arch
		name       string
		token      uint32
		scmpToken  uint32
		bigEndian  bool
		bits       int
		base       int32
		socketcall int32 // 0: no multiplexing
		ipc        int32
	}{
		{X86, "x86", 0x40000003, 0x40000003, false, 32, 0, 102, 117},
		{X86_64, "x86_64", 0xc000003e, 0xc000003e, false, 64, 0, 0, 0},
		{X32, "x32", 0xc000003e, 0x4000003e, false, 32, 0x40000000, 0, 0},
		{ARM, "arm", 0x40000028, 0x40000028, false, 32, 0, 0, 0},
		{AArch64, "aarch64", 0xc00000b7, 0xc00000b7, false, 64, 0, 0, 0},
		{LoongArch64, "loongarch64", 0xc0000102, 0xc0000102, false, 64, 0, 0, 0},
		{M68K, "m68k", 0x00000004, 0x00000004, true, 32, 0, 102, 117},
		{MIPS, "mips", 0x00000008, 0x00000008, true, 32, 4000, 4102, 4117},
		{MIPSEL, "mipsel", 0x40000008, 0x40000008, false, 32, 4000, 4102, 4117},
		{MIPS64, "mips64", 0x80000008, 0x80000008, true, 64, 5000, 0, 0},
		{MIPSEL64, "mipsel64", 0xc0000008, 0xc0000008, false, 64, 5000, 0, 0},
		{MIPS64N32, "mips64n32", 0xa0000008, 0xa0000008, true, 32, 6000, 0, 0},
		{MIPSEL64N32, "mipsel64n32", 0xe0000008, 0xe0000008, false, 32, 6000, 0, 0},
		{PARISC, "parisc", 0x0000000f, 0x0000000f, true, 32, 0, 0, 0},
		{PARISC64, "parisc64", 0x8000000f, 0x8000000f, true, 64, 0, 0, 0},
		{PPC, "ppc", 0x00000014, 0x00000014, true, 32, 0, 102, 117},
		{PPC64, "ppc64", 0x80000015, 0x80000015, true, 64, 0, 102, 117},
		{PPC64LE, "ppc64le", 0xc0000015, 0xc0000015, false, 64, 0, 102, 117},
		{RISCV64, "riscv64", 0xc00000f3, 0xc00000f3, false, 64, 0, 0, 0},
		{S390, "s390", 0x00000016, 0x00000016, true, 32, 0, 102, 117},
		{S390X, "s390x", 0x80000016, 0x80000016, true, 64, 0, 102, 117},
		{SH, "sh", 0x4000002a, 0x4000002a, false, 32, 0, 102, 117},
		{SHEB, "sheb", 0x0000002a, 0x0000002a, true, 32, 0, 102, 117},
	}
	if got := len(All()); got != len(tests) {
		t.Fatalf("All() has %d ABIs, want %d", got, len(tests))
	}
	for _, tt := range tests {
		a := tt.a
		if a.Name != tt.name || a.String() != tt.name {
			t.Errorf("%s: Name %q", tt.name, a.Name)
		}
		if a.Token != tt.token || a.ScmpToken != tt.scmpToken {
			t.Errorf("%s: Token %#x ScmpToken %#x, want %#x %#x", tt.name, a.Token, a.ScmpToken, tt.token, tt.scmpToken)
		}
		if a.BigEndian != tt.bigEndian || a.Bits != tt.bits || a.SyscallBase != tt.base {
			t.Errorf("%s: BigEndian %v Bits %d SyscallBase %d, want %v %d %d", tt.name, a.BigEndian, a.Bits, a.SyscallBase, tt.bigEndian, tt.bits, tt.base)
		}
		wantOrder := binary.ByteOrder(binary.LittleEndian)
		if tt.bigEndian {
			wantOrder = binary.BigEndian
		}
		if a.ByteOrder() != wantOrder {
			t.Errorf("%s: ByteOrder %v", tt.name, a.ByteOrder())
		}
		if a.Multiplexes != (tt.socketcall != 0) || a.SocketCall != tt.socketcall || a.IPC != tt.ipc {
			t.Errorf("%s: Multiplexes %v SocketCall %d IPC %d, want %d %d", tt.name, a.Multiplexes, a.SocketCall, a.IPC, tt.socketcall, tt.ipc)
		}
		if got, ok := Lookup(tt.name); !ok || got != a {
			t.Errorf("Lookup(%q) = %v, %v", tt.name, got, ok)
		}
		if got, ok := ByScmpToken(tt.scmpToken); !ok || got != a {
			t.Errorf("ByScmpToken(%#x) = %v, %v", tt.scmpToken, got, ok)
		}
		wantByToken := a
		if a == X32 {
			wantByToken = X86_64
		}
		if got, ok := ByToken(tt.token); !ok || got != wantByToken {
			t.Errorf("ByToken(%#x) = %v, %v; want %v", tt.token, got, ok, wantByToken)
		}
		// The socketcall and ipc numbers are those of the tables.
		if a.Multiplexes {
			if n, _ := a.SyscallNumber("socketcall"); n != a.SocketCall {
				t.Errorf("%s: socketcall resolves to %d, SocketCall is %d", tt.name, n, a.SocketCall)
			}
			if n, _ := a.SyscallNumber("ipc"); n != a.IPC {
				t.Errorf("%s: ipc resolves to %d, IPC is %d", tt.name, n, a.IPC)
			}
		}
	}
}

func TestLookupRejects(t *testing.T) {
	for _, name := range []string{"", "X86", "amd64", "arm64", "loong64", "i386", "native", "x86_64 ", "mips64el"} {
		if a, ok := Lookup(name); ok {
			t.Errorf("Lookup(%q) = %v, want none", name, a)
		}
	}
	for _, tok := range []uint32{0, 0x4000003e, 0x3e, 0xffffffff} {
		if a, ok := ByToken(tok); ok {
			t.Errorf("ByToken(%#x) = %v, want none", tok, a)
		}
	}
}

func TestNative(t *testing.T) {
	tests := []struct {
		goarch string
		want   *Arch
	}{
		{"386", X86}, {"amd64", X86_64}, {"arm", ARM}, {"arm64", AArch64},
		{"loong64", LoongArch64}, {"mips", MIPS}, {"mipsle", MIPSEL},
		{"mips64", MIPS64}, {"mips64le", MIPSEL64}, {"ppc64", PPC64},
		{"ppc64le", PPC64LE}, {"riscv64", RISCV64}, {"s390x", S390X},
		{"wasm", nil}, {"sparc64", nil},
	}
	for _, tt := range tests {
		if got := nativeFor(tt.goarch); got != tt.want {
			t.Errorf("nativeFor(%q) = %v, want %v", tt.goarch, got, tt.want)
		}
	}
}

// TestLookupsMatchAll checks Lookup, ByToken and ByScmpToken against a scan
// of All: every ABI by its name and tokens, and, for the tokens, every
// value made of an ELF machine below 1024 and the AUDIT_ARCH_* flag bits.
func TestLookupsMatchAll(t *testing.T) {
	scan := func(match func(a *Arch) bool) *Arch {
		for _, a := range All() {
			if match(a) {
				return a
			}
		}
		return nil
	}
	for _, a := range All() {
		if got, _ := Lookup(a.Name); got != a {
			t.Errorf("Lookup(%q) = %v", a.Name, got)
		}
	}
	for em := uint32(0); em < 1024; em++ {
		for _, flags := range []uint32{0, audit64, auditLE, auditN32, audit64 | auditLE, audit64 | auditN32, auditLE | auditN32, audit64 | auditLE | auditN32} {
			tok := em | flags
			want := scan(func(a *Arch) bool { return a.Token == tok })
			if got, ok := ByToken(tok); got != want || ok != (want != nil) {
				t.Errorf("ByToken(%#x) = %v, %v; want %v", tok, got, ok, want)
			}
			want = scan(func(a *Arch) bool { return a.ScmpToken == tok })
			if got, ok := ByScmpToken(tok); got != want || ok != (want != nil) {
				t.Errorf("ByScmpToken(%#x) = %v, %v; want %v", tok, got, ok, want)
			}
		}
	}
}
