package arch

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// csvColumn names the syscalls.csv column each ABI reads.
var csvColumn = map[string]string{
	"mipsel": "mips", "mipsel64": "mips64", "mipsel64n32": "mips64n32",
	"ppc64le": "ppc64", "sheb": "sh",
}

// muxNames are the socket and IPC calls that libseccomp resolves to
// pseudo numbers on ABIs with socketcall(2) and ipc(2).
var muxNames = strings.Fields(`socket bind connect listen accept getsockname
	getpeername socketpair send recv sendto recvfrom shutdown setsockopt
	getsockopt sendmsg recvmsg accept4 recvmmsg sendmmsg semop semget semctl
	semtimedop msgsnd msgrcv msgget msgctl shmat shmdt shmget shmctl`)

func readPseudo(t *testing.T) (num map[string]int32, owner map[int32]string) {
	t.Helper()
	f, err := os.Open("../internal/mktables/pseudo.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	num, owner = map[string]int32{}, map[int32]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 2 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		n, err := strconv.Atoi(fs[1])
		if err != nil {
			t.Fatal(err)
		}
		num[fs[0]] = int32(n)
		if _, ok := owner[int32(n)]; !ok {
			owner[int32(n)] = fs[0]
		}
	}
	return num, owner
}

// TestCSVRoundTrip checks every cell of libseccomp's syscalls.csv: the name
// resolves to the cell's number (with the ABI's offset) or to the pseudo
// number where the cell says PNR, and the number resolves back to the name.
func TestCSVRoundTrip(t *testing.T) {
	f, err := os.Open("../../shared/data/syscalls.csv")
	if err != nil {
		t.Skipf("syscall CSV not available: %v", err)
	}
	defer f.Close()
	pseudo, owner := readPseudo(t)
	isMux := map[string]bool{}
	for _, n := range muxNames {
		isMux[n] = true
	}
	sc := bufio.NewScanner(f)
	sc.Scan()
	hdr := strings.Split(sc.Text(), ",")
	col := map[string]int{}
	for i, h := range hdr {
		col[h] = i
	}
	rows, checked := 0, 0
	for sc.Scan() {
		f := strings.Split(sc.Text(), ",")
		name := f[0]
		rows++
		for _, a := range All() {
			c := a.Name
			if m, ok := csvColumn[c]; ok {
				c = m
			}
			cell := f[col[c]]
			var want int32
			switch {
			case a.Multiplexes && isMux[name]:
				want = pseudo[name]
			case cell == "PNR":
				want = pseudo[name]
				if want == 0 {
					t.Fatalf("%s: PNR without pseudo number", name)
				}
			default:
				n, err := strconv.Atoi(cell)
				if err != nil {
					t.Fatalf("%s on %s: %v", name, a.Name, err)
				}
				want = int32(n)
				switch {
				case a == X32:
					want |= 0x40000000
				case strings.HasPrefix(a.Name, "mips"):
					want += a.SyscallBase
				}
			}
			got, ok := a.SyscallNumber(name)
			if !ok || got != want {
				t.Errorf("%s.SyscallNumber(%q) = %d, %v; want %d", a.Name, name, got, ok, want)
				continue
			}
			wantName := name
			if want < 0 && owner[want] != "" {
				wantName = owner[want]
			}
			if back, ok := a.SyscallName(got); !ok || back != wantName {
				t.Errorf("%s.SyscallName(%d) = %q, %v; want %q", a.Name, got, back, ok, wantName)
			}
			checked++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != len(SyscallNames()) {
		t.Errorf("CSV has %d syscalls, tables %d", rows, len(SyscallNames()))
	}
	t.Logf("%d syscalls, %d (name, ABI) pairs checked", rows, checked)
}

// TestS390CSV checks the frozen s390 list against the s390 tables.
func TestS390CSV(t *testing.T) {
	f, err := os.Open("../../shared/data/syscalls.s390.csv")
	if err != nil {
		t.Skipf("s390 CSV not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		fs := strings.Split(sc.Text(), ",")
		if strings.HasPrefix(fs[0], "#") || len(fs) < 2 {
			continue
		}
		want, err := strconv.Atoi(fs[1])
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := S390.rawNumber(fs[0]); got != int32(want) {
			t.Errorf("s390 %s = %d, want %d", fs[0], got, want)
		}
		n++
	}
	if n < 400 {
		t.Errorf("only %d s390 syscalls read", n)
	}
}

// TestSyscallNumber checks numbers from the kernel's syscall tables and
// values libseccomp gives.
func TestSyscallNumber(t *testing.T) {
	tests := []struct {
		a    *Arch
		name string
		want int32
		ok   bool
	}{
		{X86_64, "read", 0, true},
		{X86_64, "openat", 257, true},
		{X86_64, "socket", 41, true},
		{X86_64, "send", -109, true}, // no send(2) on x86_64
		{X86_64, "socketcall", -10060, true},
		{X86_64, "open", 2, true},
		{X86_64, "uretprobe", 335, true},
		{X86, "uretprobe", -10251, true},
		{X86, "socket", -101, true}, // multiplexed: pseudo even though x86 has socket(2)
		{X86, "shmat", -221, true},
		{X86, "socketcall", 102, true},
		{X86, "open", 5, true},
		{X32, "read", 0x40000000, true},
		{X32, "rt_sigaction", 0x40000000 | 512, true},
		{ARM, "breakpoint", 0x0f0001, true},
		{ARM, "set_tls", 0x0f0005, true},
		{ARM, "open", 5, true},
		{AArch64, "open", -10166, true},
		{AArch64, "openat", 56, true},
		{MIPS, "read", 4003, true},
		{MIPS, "socket", -101, true},
		{MIPSEL, "exit", 4001, true},
		{MIPS64, "read", 5000, true},
		{MIPSEL64, "socket", 5040, true},
		{MIPS64N32, "read", 6000, true},
		{MIPSEL64N32, "arch_prctl", -10001, true},
		{PPC64LE, "recv", -110, true},
		{S390X, "mseal", 462, true},
		{S390, "listns", -10252, true},
		{S390X, "listns", 470, true},
		{SH, "cacheflush", 123, true},
		{SHEB, "shmctl", -224, true},
		{M68K, "atomic_barrier", 336, true},
		{LoongArch64, "mseal", 462, true},
		{X86_64, "", 0, false},
		{X86_64, "nosuchsyscall", 0, false},
		{X86_64, "READ", 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.a.SyscallNumber(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s.SyscallNumber(%q) = %d, %v; want %d, %v", tt.a, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// TestNewSyscalls checks syscalls added after libseccomp 2.5.4 on every ABI.
func TestNewSyscalls(t *testing.T) {
	for _, tt := range []struct {
		name string
		nr   int32
	}{
		{"statmount", 457}, {"listmount", 458}, {"lsm_get_self_attr", 459},
		{"lsm_set_self_attr", 460}, {"lsm_list_modules", 461}, {"mseal", 462},
		{"setxattrat", 463}, {"getxattrat", 464}, {"listxattrat", 465},
		{"removexattrat", 466}, {"open_tree_attr", 467},
		{"file_getattr", 468}, {"file_setattr", 469},
	} {
		for _, a := range All() {
			want := tt.nr + a.SyscallBase
			if a == X32 {
				want = tt.nr | 0x40000000
			}
			if got, ok := a.SyscallNumber(tt.name); !ok || got != want {
				t.Errorf("%s.SyscallNumber(%q) = %d, %v; want %d", a, tt.name, got, ok, want)
			}
		}
	}
}

// TestSyscallName covers libseccomp's number-to-name quirks.
func TestSyscallName(t *testing.T) {
	tests := []struct {
		a    *Arch
		nr   int32
		want string
		ok   bool
	}{
		{X86_64, 0, "read", true},
		{X86_64, 257, "openat", true},
		{X86, 0, "restart_syscall", true},
		{S390X, 0, "", false},
		{X86, -101, "socket", true},
		{X86, 359, "socket", true},
		{X86_64, -101, "", false}, // no multiplexing on x86_64
		{X86_64, -109, "send", true},
		{X86, -100, "", false},
		{X86, -10060, "", false}, // x86 has socketcall(2)
		{X86_64, -10060, "socketcall", true},
		{X32, 0x40000001, "write", true},
		{X32, 1, "write", true}, // libseccomp clears the x32 bit of any number
		{MIPS64, 5001, "write", true},
		{MIPS64, 1, "write", true}, // numbers below the base are looked up unchanged
		{MIPS, 4001, "exit", true},
		{MIPS, -221, "shmat", true},
		{MIPS64N32, 6000, "read", true},
		{ARM, 0x0f0001, "breakpoint", true},
		{PPC, 363, "switch_endian", true},
		{PPC, 256, "sys_debug_setcontext", true},
		{X86_64, -10191, "sys_debug_setcontext", true}, // shared pseudo number
		{X86_64, -1, "", false},
		{X86_64, 100000, "", false},
	}
	for _, tt := range tests {
		got, ok := tt.a.SyscallName(tt.nr)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s.SyscallName(%d) = %q, %v; want %q, %v", tt.a, tt.nr, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSyscallNumberRewrite checks what scmp_sys_resolver -t prints.
func TestSyscallNumberRewrite(t *testing.T) {
	tests := []struct {
		a    *Arch
		name string
		want int32
		ok   bool
	}{
		{X86, "socket", 102, true},
		{X86, "accept", 102, true},
		{X86, "shmat", 117, true},
		{X86, "read", 3, true},
		{X86, "arch_prctl", 384, true},
		{X86, "uretprobe", -10251, true},
		{MIPS, "socket", 4102, true},
		{MIPSEL, "semtimedop", 4117, true},
		{PPC64LE, "recv", 102, true},
		{S390X, "shmctl", 117, true},
		{SHEB, "sendmmsg", 102, true},
		{M68K, "msgget", 117, true},
		{X86_64, "socket", 41, true},
		{X86_64, "send", -109, true},
		{MIPS64, "socket", 5040, true},
		{AArch64, "open", -10166, true},
		{X86, "nosuchsyscall", 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.a.SyscallNumberRewrite(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s.SyscallNumberRewrite(%q) = %d, %v; want %d, %v", tt.a, tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMultiplexed(t *testing.T) {
	tests := []struct {
		a  *Arch
		nr int32
		ok bool
		m  Mux
	}{
		{X86, 359, true, Mux{MuxCall{"socket", -101, 1, false}, 102, 359}},
		{X86, -101, true, Mux{MuxCall{"socket", -101, 1, false}, 102, 359}},
		{X86, -105, true, Mux{MuxCall{"accept", -105, 5, false}, 102, -105}},
		{X86, -221, true, Mux{MuxCall{"shmat", -221, 21, true}, 117, 397}},
		{X86, 397, true, Mux{MuxCall{"shmat", -221, 21, true}, 117, 397}},
		{X86, -100, true, Mux{}},
		{X86, -205, true, Mux{}},
		{X86, 3, false, Mux{}},
		{X86, 102, false, Mux{}},
		{X86, -10060, false, Mux{}},
		{MIPS, -101, true, Mux{MuxCall{"socket", -101, 1, false}, 4102, 4183}},
		{MIPS, 4183, true, Mux{MuxCall{"socket", -101, 1, false}, 4102, 4183}},
		{PPC64, -204, true, Mux{MuxCall{"semtimedop", -204, 4, true}, 117, 392}},
		{PPC, -204, true, Mux{MuxCall{"semtimedop", -204, 4, true}, 117, -204}},
		{S390X, -109, true, Mux{MuxCall{"send", -109, 9, false}, 102, -109}},
		{X86_64, 41, false, Mux{}},
		{X86_64, -101, false, Mux{}},
	}
	for _, tt := range tests {
		m, ok := tt.a.Multiplexed(tt.nr)
		if ok != tt.ok || m != tt.m {
			t.Errorf("%s.Multiplexed(%d) = %+v, %v; want %+v, %v", tt.a, tt.nr, m, ok, tt.m, tt.ok)
		}
	}
	if got := len(MuxCalls()); got != 32 {
		t.Errorf("MuxCalls has %d entries", got)
	}
	for _, c := range MuxCalls() {
		base := int32(-100)
		if c.IPC {
			base = -200
		}
		if c.Pseudo != base-int32(c.Call) {
			t.Errorf("%s: pseudo %d, call %d", c.Name, c.Pseudo, c.Call)
		}
		if _, ok := sysIndex(c.Name); !ok {
			t.Errorf("%s is not in the syscall tables", c.Name)
		}
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		X86.SyscallNumber("shmat")
		X86_64.SyscallNumber("openat")
		X32.SyscallName(0x40000101)
		MIPS.SyscallName(-101)
		PPC.SyscallNumberRewrite("socket")
		Lookup("mipsel64n32")
		ByToken(0xc000003e)
	})
	if allocs != 0 {
		t.Errorf("lookups allocate %v times", allocs)
	}
}

func BenchmarkSyscallNumber(b *testing.B) {
	names := []string{"read", "openat", "socket", "io_uring_enter", "mseal", "nosuchsyscall"}
	found := 0
	for i := 0; i < b.N; i++ {
		if _, ok := X86.SyscallNumber(names[i%len(names)]); ok {
			found++
		}
	}
	benchSink = found
}

func BenchmarkSyscallName(b *testing.B) {
	nrs := []int32{0, 257, 41, 426, 462, -10060, 99999}
	found := 0
	for i := 0; i < b.N; i++ {
		if _, ok := X86_64.SyscallName(nrs[i%len(nrs)]); ok {
			found++
		}
	}
	benchSink = found
}

// benchSink keeps the benchmarks' results alive so that the compiler
// cannot drop the calls they time.
var benchSink int

func TestSysIndex(t *testing.T) {
	isName := make(map[string]bool, len(sysNames))
	for i, n := range sysNames {
		isName[n] = true
		if j, ok := sysIndex(n); !ok || int(j) != i {
			t.Errorf("sysIndex(%q) = %d, %v; want %d, true", n, j, ok, i)
		}
	}
	notName := func(n string) {
		t.Helper()
		if isName[n] {
			return
		}
		if j, ok := sysIndex(n); ok {
			t.Errorf("sysIndex(%q) = %d, true; want false", n, j)
		}
	}
	for _, n := range []string{"", "r", "read\x00", "readx", "Read", "sched_get_priority_mid", "nosuchsyscall",
		"\x00", "\x00\x00\x00\x00\x00\x00\x00\x00", strings.Repeat("a", maxNameLen+1)} {
		notName(n)
	}
	for _, n := range sysNames {
		// Prefixes, extensions and names with one byte changed,
		// which share all or part of the key of a name.
		for k := range len(n) {
			notName(n[:k])
			for _, x := range []byte{0x01, 0x20, 0x80, 0xff} {
				b := []byte(n)
				b[k] ^= x
				notName(string(b))
			}
		}
		if len(n) >= 8 {
			// The same first and last eight bytes.
			notName(n[:8] + n[len(n)-8:])
			notName(n[:len(n)-1] + n[len(n)-8:])
		}
		notName(n + "\x00")
		notName(n + "_")
		notName("_" + n)
		notName(n + strings.Repeat(n, maxNameLen/len(n)+1))
	}
}

// TestNameTable checks that nameTable holds each name once, in a slot
// reached in few probes, and that no name is too long for probe.
func TestNameTable(t *testing.T) {
	slots := 0
	for _, e := range nameTable {
		if e.n != 0 {
			slots++
		}
	}
	if slots != len(sysNames) {
		t.Errorf("nameTable has %d names, want %d", slots, len(sysNames))
	}
	if noSlot != (nameSlot{}) {
		t.Errorf("noSlot = %+v, want it empty", noSlot)
	}
	probes, most := 0, 0
	for i, n := range sysNames {
		if len(n) > maxNameLen {
			t.Errorf("%q has %d bytes, more than maxNameLen", n, len(n))
		}
		e, lo, hi := probe(n)
		if e.n == 0 || int(e.i) != i || e.lo != lo || e.hi != hi {
			t.Fatalf("probe(%q) = %+v, %#x, %#x", n, *e, lo, hi)
		}
		p := 1
		for h := nameHash(lo, hi, len(n)); &nameTable[h%nameSlots] != e; h++ {
			p++
		}
		probes += p
		most = max(most, p)
	}
	// With the table a quarter full, a random hash would average about
	// 1.2 probes; a bad one (say, one ignoring part of the key) many
	// more.
	if avg := float64(probes) / float64(len(sysNames)); avg > 1.3 || most > 8 {
		t.Errorf("names take %.2f probes on average, %d at most", avg, most)
	}
}

// TestMuxPseudo checks that the syscalls with a socket or IPC pseudo number
// are exactly the calls of MuxCalls, each with its own pseudo number: the
// resolvers find the multiplexed calls by their pseudo numbers.
func TestMuxPseudo(t *testing.T) {
	want := map[string]int32{}
	for _, m := range MuxCalls() {
		want[m.Name] = m.Pseudo
	}
	for i, n := range sysNames {
		p, isMux := want[n]
		if isMuxPseudo(sysPseudo[i]) != isMux || isMux && sysPseudo[i] != p {
			t.Errorf("%s: pseudo number %d; MuxCalls gives %d", n, sysPseudo[i], p)
		}
		delete(want, n)
	}
	for n := range want {
		t.Errorf("MuxCalls lists %s, which the tables lack", n)
	}
}
