package seccomp

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
)

func TestGetArchFromString(t *testing.T) {
	tests := []struct {
		in   string
		want ScmpArch
	}{
		{"x86", ArchX86},
		{"amd64", ArchAMD64}, {"x86-64", ArchAMD64}, {"x86_64", ArchAMD64}, {"x64", ArchAMD64}, {"AMD64", ArchAMD64},
		{"x32", ArchX32},
		{"arm", ArchARM},
		{"arm64", ArchARM64}, {"aarch64", ArchARM64},
		{"mips", ArchMIPS}, {"mips64", ArchMIPS64}, {"mips64n32", ArchMIPS64N32},
		{"mipsel", ArchMIPSEL}, {"mipsel64", ArchMIPSEL64}, {"mipsel64n32", ArchMIPSEL64N32},
		{"ppc", ArchPPC}, {"ppc64", ArchPPC64}, {"PPC64LE", ArchPPC64LE},
		{"s390", ArchS390}, {"s390x", ArchS390X},
		{"parisc", ArchPARISC}, {"parisc64", ArchPARISC64},
		{"riscv64", ArchRISCV64},
		{"loong64", ArchLOONGARCH64}, {"loongarch64", ArchLOONGARCH64},
		{"m68k", ArchM68K}, {"sh", ArchSH}, {"sheb", ArchSHEB},
	}
	for _, tt := range tests {
		got, err := GetArchFromString(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("GetArchFromString(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "native", "i386", "mips64el", "powerpc", " x86", "Invalid architecture"} {
		got, err := GetArchFromString(in)
		want := fmt.Sprintf("cannot convert unrecognized string %q", in)
		if got != ArchInvalid || err == nil || err.Error() != want {
			t.Errorf("GetArchFromString(%q) = %v, %v; want ArchInvalid, %q", in, got, err, want)
		}
	}
}

func TestArchString(t *testing.T) {
	tests := []struct {
		a    ScmpArch
		want string
	}{
		{ArchInvalid, "Invalid architecture"},
		{ArchNative, "native"},
		{ArchX86, "x86"}, {ArchAMD64, "amd64"}, {ArchX32, "x32"}, {ArchARM, "arm"},
		{ArchARM64, "arm64"}, {ArchMIPS, "mips"}, {ArchMIPS64, "mips64"},
		{ArchMIPS64N32, "mips64n32"}, {ArchMIPSEL, "mipsel"}, {ArchMIPSEL64, "mipsel64"},
		{ArchMIPSEL64N32, "mipsel64n32"}, {ArchPPC, "ppc"}, {ArchPPC64, "ppc64"},
		{ArchPPC64LE, "ppc64le"}, {ArchS390, "s390"}, {ArchS390X, "s390x"},
		{ArchPARISC, "parisc"}, {ArchPARISC64, "parisc64"}, {ArchRISCV64, "riscv64"},
		{ArchLOONGARCH64, "loong64"}, {ArchM68K, "m68k"}, {ArchSH, "sh"}, {ArchSHEB, "sheb"},
		{ArchSHEB + 1, "Unknown architecture 0x19"},
		{ScmpArch(0x1234), "Unknown architecture 0x1234"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("ScmpArch(%d).String() = %q, want %q", uint(tt.a), got, tt.want)
		}
	}
	// Every named architecture converts back from its name.
	for a := ArchX86; a <= ArchSHEB; a++ {
		if back, err := GetArchFromString(a.String()); err != nil || back != a {
			t.Errorf("GetArchFromString(%q) = %v, %v; want %v", a.String(), back, err, a)
		}
	}
}

func TestGetNativeArch(t *testing.T) {
	want := map[string]ScmpArch{
		"386": ArchX86, "amd64": ArchAMD64, "arm": ArchARM, "arm64": ArchARM64,
		"loong64": ArchLOONGARCH64, "mips": ArchMIPS, "mipsle": ArchMIPSEL,
		"mips64": ArchMIPS64, "mips64le": ArchMIPSEL64, "ppc64": ArchPPC64,
		"ppc64le": ArchPPC64LE, "riscv64": ArchRISCV64, "s390x": ArchS390X,
	}[runtime.GOARCH]
	got, err := GetNativeArch()
	if want == ArchInvalid {
		if err == nil {
			t.Errorf("GetNativeArch() = %v on %s, want an error", got, runtime.GOARCH)
		}
		return
	}
	if err != nil || got != want {
		t.Errorf("GetNativeArch() = %v, %v; want %v", got, err, want)
	}
}

func TestToArch(t *testing.T) {
	for a := ArchX86; a <= ArchSHEB; a++ {
		abi, err := a.toArch()
		if err != nil || abi == nil {
			t.Fatalf("%v.toArch() = %v, %v", a, abi, err)
		}
		if back := fromArch(abi); back != a {
			t.Errorf("fromArch(%s) = %v, want %v", abi.Name, back, a)
		}
		// libseccomp's name of the ABI names the same constant.
		if named, err := GetArchFromString(abi.Name); named != a {
			t.Errorf("%v.toArch() is %s, which names %v, %v", a, abi.Name, named, err)
		}
	}
	for _, tt := range []struct {
		a    ScmpArch
		want string
	}{
		{ArchInvalid, "unrecognized architecture 0x0"},
		{ArchSHEB + 1, "unrecognized architecture 0x19"},
		{ScmpArch(1000), "unrecognized architecture 0x3e8"},
	} {
		if abi, err := tt.a.toArch(); err == nil || err.Error() != tt.want {
			t.Errorf("ScmpArch(%d).toArch() = %v, %v; want error %q", uint(tt.a), abi, err, tt.want)
		}
	}
	if fromArch(nil) != ArchInvalid {
		t.Errorf("fromArch(nil) != ArchInvalid")
	}
}

func TestGetSyscallFromNameByArch(t *testing.T) {
	tests := []struct {
		name string
		a    ScmpArch
		want ScmpSyscall
	}{
		{"read", ArchAMD64, 0},
		{"openat", ArchAMD64, 257},
		{"read", ArchX32, 0x40000000},
		{"socket", ArchX86, -101},
		{"socketcall", ArchAMD64, -10060},
		{"openat", ArchARM64, 56},
		{"read", ArchMIPS, 4003},
		{"read", ArchMIPSEL64, 5000},
		{"read", ArchMIPS64N32, 6000},
		{"breakpoint", ArchARM, 0x0f0001},
		{"mseal", ArchLOONGARCH64, 462},
		{"cacheflush", ArchSHEB, 123},
		{"atomic_barrier", ArchM68K, 336},
		{"listns", ArchS390, -10252},
	}
	for _, tt := range tests {
		got, err := GetSyscallFromNameByArch(tt.name, tt.a)
		if err != nil || got != tt.want {
			t.Errorf("GetSyscallFromNameByArch(%q, %v) = %d, %v; want %d", tt.name, tt.a, got, err, tt.want)
		}
		name, err := got.GetNameByArch(tt.a)
		if err != nil || name != tt.name {
			t.Errorf("ScmpSyscall(%d).GetNameByArch(%v) = %q, %v; want %q", got, tt.a, name, err, tt.name)
		}
	}
	if _, err := GetSyscallFromNameByArch("nosuchsyscall", ArchAMD64); !errors.Is(err, ErrSyscallDoesNotExist) {
		t.Errorf("unknown name: err = %v, want ErrSyscallDoesNotExist", err)
	}
	if _, err := GetSyscallFromNameByArch("read", ArchInvalid); err == nil || err.Error() != "unrecognized architecture 0x0" {
		t.Errorf("ArchInvalid: err = %v", err)
	}
	if _, err := GetSyscallFromNameByArch("nosuchsyscall", ScmpArch(99)); err == nil || err.Error() != "unrecognized architecture 0x63" {
		t.Errorf("bad arch and name: err = %v, want the arch error", err)
	}
	if _, err := ScmpSyscall(99999).GetNameByArch(ArchAMD64); !errors.Is(err, ErrSyscallDoesNotExist) {
		t.Errorf("unknown number: err = %v, want ErrSyscallDoesNotExist", err)
	}
	if _, err := ScmpSyscall(0).GetNameByArch(ArchSHEB + 1); err == nil || err.Error() != "unrecognized architecture 0x19" {
		t.Errorf("bad arch: err = %v", err)
	}
}

func TestGetSyscallFromNameNative(t *testing.T) {
	native, err := GetNativeArch()
	if err != nil {
		t.Skip(err)
	}
	nr, err := GetSyscallFromName("getpid")
	if err != nil {
		t.Fatal(err)
	}
	byArch, err := GetSyscallFromNameByArch("getpid", native)
	if err != nil || byArch != nr {
		t.Errorf("GetSyscallFromNameByArch(getpid, %v) = %d, %v; native gives %d", native, byArch, err, nr)
	}
	if runtime.GOARCH == "amd64" && nr != 39 {
		t.Errorf("getpid = %d on amd64, want 39", nr)
	}
	name, err := nr.GetName()
	if err != nil || name != "getpid" {
		t.Errorf("GetName(%d) = %q, %v", nr, name, err)
	}
	if _, err := GetSyscallFromName(""); !errors.Is(err, ErrSyscallDoesNotExist) {
		t.Errorf("empty name: err = %v", err)
	}
}

func ExampleGetSyscallFromNameByArch() {
	a, err := GetArchFromString("aarch64")
	if err != nil {
		fmt.Println(err)
		return
	}
	nr, err := GetSyscallFromNameByArch("openat", a)
	if err != nil {
		fmt.Println(err)
		return
	}
	name, _ := nr.GetNameByArch(a)
	fmt.Println(a, nr, name)

	// open(2) does not exist on arm64: libseccomp's pseudo number.
	nr, _ = GetSyscallFromNameByArch("open", a)
	fmt.Println(nr)
	// Output:
	// arm64 56 openat
	// -10166
}
