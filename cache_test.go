package seccomp_test

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/oci"
)

// allCaps is every capability Linux defines, so that every entry of
// Docker's profile that a capability unlocks is in the filter.
var allCaps = oci.AllCapabilities()

// dockerDefaultCaps is the capability set Docker gives a container by
// default.
var dockerDefaultCaps = oci.DockerDefaultCapabilities()

// profileKernel is the kernel Docker's profile is resolved for.
const profileKernel = "6.8"

// archSet is one set of architectures Docker's profile is compiled for.
type archSet struct {
	name string
	// main picks the archMap entry; alone drops its sub-architectures.
	main  string
	alone bool
}

// dockerArchSets are x86_64 alone, then every entry of the profile's
// archMap with its sub-architectures, of both byte orders.
var dockerArchSets = []archSet{
	{"x86_64", "x86_64", true},
	{"x86_64+x86+x32", "x86_64", false},
	{"aarch64+arm", "aarch64", false},
	{"mips64+mips+mips64n32", "mips64", false},
	{"mips64n32+mips+mips64", "mips64n32", false},
	{"mipsel64+mipsel+mipsel64n32", "mipsel64", false},
	{"mipsel64n32+mipsel+mipsel64", "mipsel64n32", false},
	{"s390x+s390", "s390x", false},
	{"riscv64", "riscv64", false},
	{"loongarch64", "loongarch64", false},
}

// dockerFilter resolves Docker's default profile for set, caps and
// profileKernel and builds its filter. It returns the filter, the resolved
// spec, and the filter's architectures.
func dockerFilter(tb testing.TB, set archSet, caps []string) (*seccomp.ScmpFilter, *specs.LinuxSeccomp, []*arch.Arch) {
	tb.Helper()
	main, err := seccomp.GetArchFromString(set.main)
	if err != nil {
		tb.Fatal(err)
	}
	opts := oci.Options{
		Arches:        []seccomp.ScmpArch{main},
		Caps:          caps,
		KernelVersion: profileKernel,
		Warn:          func(string) {},
	}
	spec, _, err := oci.Parse(oci.DefaultProfile, opts)
	if err != nil {
		tb.Fatalf("%s: %v", set.name, err)
	}
	if set.alone {
		spec.Architectures = nil
	}
	f, err := oci.NewFilter(spec, opts)
	if err != nil {
		tb.Fatalf("%s: %v", set.name, err)
	}
	var abis []*arch.Arch
	for _, a := range arch.All() {
		sa, err := seccomp.GetArchFromString(a.Name)
		if err != nil {
			continue
		}
		if ok, err := f.IsArchPresent(sa); err == nil && ok {
			abis = append(abis, a)
		}
	}
	if len(abis) == 0 {
		tb.Fatalf("%s: filter without architectures", set.name)
	}
	return f, spec, abis
}

// exported returns the filter's own program, decoded from ExportBPFMem.
func exported(tb testing.TB, f *seccomp.ScmpFilter, order binary.ByteOrder) bpf.Program {
	tb.Helper()
	raw, err := f.ExportBPFMem()
	if err != nil {
		tb.Fatal(err)
	}
	p, err := bpf.Unmarshal(raw, order)
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Verify(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// probeTarget is one architecture token with the syscall numbers probed
// on it.
type probeTarget struct {
	token uint32
	name  string
	nrs   []int32
}

// probeTargets returns the probe set of the issue for a filter on abis:
// every syscall number -1..1023 for each distinct token, and on the
// x86_64 token also the x32 numbers 0x40000000..0x400003ff. MIPS numbers
// start at 4000, 5000 or 6000, so there the 1024 numbers from the ABI's base
// are probed as well.
func probeTargets(abis []*arch.Arch) []probeTarget {
	var out []probeTarget
	seen := map[uint32]bool{}
	for _, a := range abis {
		if seen[a.Token] {
			continue
		}
		seen[a.Token] = true
		t := probeTarget{token: a.Token, name: a.Name}
		for nr := int32(-1); nr <= 1023; nr++ {
			t.nrs = append(t.nrs, nr)
		}
		if a.SyscallBase > 0 && a.SyscallBase < 0x40000000 {
			for nr := a.SyscallBase; nr < a.SyscallBase+1024; nr++ {
				t.nrs = append(t.nrs, nr)
			}
		}
		if a.Token == arch.X86_64.Token {
			t.name = "x86_64 token"
			for nr := int32(0x40000000); nr <= 0x400003ff; nr++ {
				t.nrs = append(t.nrs, nr)
			}
		}
		out = append(out, t)
	}
	return out
}

// argVectors returns argument vectors that reach every comparison of p:
// all zeros, then, for each argument in turn and together, each constant
// the program compares with or masks by, that constant plus and minus one,
// in the low word, in the high word, and with the high word all ones.
func argVectors(p bpf.Program) [][6]uint64 {
	consts := map[uint32]bool{0: true, 0xffffffff: true}
	for _, ins := range p {
		switch {
		case bpf.Class(ins.Op) == bpf.JMP && bpf.Operation(ins.Op) != bpf.JA && bpf.Source(ins.Op) == bpf.K,
			bpf.Class(ins.Op) == bpf.ALU && bpf.Source(ins.Op) == bpf.K:
			consts[ins.K] = true
			consts[ins.K+1] = true
			consts[ins.K-1] = true
		}
	}
	var words []uint32
	for k := range consts {
		words = append(words, k)
	}
	slices.Sort(words)
	var vals []uint64
	for _, w := range words {
		vals = append(vals, uint64(w), uint64(w)<<32, uint64(w)|0xffffffff00000000)
	}
	vecs := [][6]uint64{{}}
	for _, v := range vals {
		for i := range 6 {
			var a [6]uint64
			a[i] = v
			vecs = append(vecs, a)
		}
		vecs = append(vecs, [6]uint64{v, v, v, v, v, v})
	}
	return vecs
}

// cacheReport counts the outcome of one cache check.
type cacheReport struct {
	allowConst, allowArgs, cachedArgs, cached int
}

// checkCache runs the cache check on p for the given probe targets: every
// (token, nr) whose result does not depend on its arguments and is ALLOW
// must be cacheable, and none whose result depends on them may be. It
// returns what it counted and the violations found.
func checkCache(p bpf.Program, order binary.ByteOrder, targets []probeTarget) (cacheReport, []string, error) {
	var rep cacheReport
	var bad []string
	vm, err := bpf.NewVM(p, order)
	if err != nil {
		return rep, nil, err
	}
	vecs := argVectors(p)
	for _, tg := range targets {
		for _, nr := range tg.nrs {
			cached := bpf.ConstAllow(p, tg.token, nr)
			first, _, err := vm.Run(bpf.Data{Nr: nr, Arch: tg.token})
			if err != nil {
				return rep, bad, fmt.Errorf("%s nr %#x: %w", tg.name, nr, err)
			}
			if first != bpf.RetAllow && !cached {
				// Not an ALLOW whatever the arguments, or one that
				// depends on them: neither must be cached.
				continue
			}
			// The decision depends on the arguments when some vector
			// gives another result than the zero vector.
			var witness *[6]uint64
			var other uint32
			for i := range vecs {
				r, _, err := vm.Run(bpf.Data{Nr: nr, Arch: tg.token, Args: vecs[i]})
				if err != nil {
					return rep, bad, fmt.Errorf("%s nr %#x args %x: %w", tg.name, nr, vecs[i], err)
				}
				if r != first {
					witness, other = &vecs[i], r
					break
				}
			}
			switch {
			case witness == nil && first == bpf.RetAllow:
				rep.allowConst++
				if cached {
					rep.cached++
				} else {
					bad = append(bad, fmt.Sprintf("%s nr %#x: ALLOW whatever the arguments, but not cacheable", tg.name, nr))
				}
			case witness != nil:
				if first == bpf.RetAllow || other == bpf.RetAllow {
					rep.allowArgs++
				}
				if cached {
					rep.cachedArgs++
					bad = append(bad, fmt.Sprintf("%s nr %#x: cacheable, but args %x give %s where zeros give %s",
						tg.name, nr, *witness, bpf.ActionString(other), bpf.ActionString(first)))
				}
			default: // cached, but not ALLOW for zero arguments
				bad = append(bad, fmt.Sprintf("%s nr %#x: cacheable, but the program returns %s", tg.name, nr, bpf.ActionString(first)))
			}
		}
	}
	return rep, bad, nil
}

// reportBad fails t with the first violations found.
func reportBad(t *testing.T, what string, bad []string) {
	t.Helper()
	for i, msg := range bad {
		if i == 10 {
			t.Errorf("%s: %d more", what, len(bad)-i)
			break
		}
		t.Errorf("%s: %s", what, msg)
	}
}

// TestKernelCacheDockerDefault compiles Docker's default profile for each
// set of architectures and checks, with the emulation of the kernel's
// seccomp_is_const_allow, that every syscall it allows whatever the
// arguments is answered by the kernel's action cache without running the
// filter, both for the filter's own program and for the one runc loads
// (with its ENOSYS stub). With -short, only x86_64 and aarch64 are checked.
func TestKernelCacheDockerDefault(t *testing.T) {
	sets := dockerArchSets
	if testing.Short() {
		sets = sets[:3]
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			f, spec, abis := dockerFilter(t, set, allCaps)
			defer f.Release()
			order := abis[0].ByteOrder()
			targets := probeTargets(abis)
			own := exported(t, f, order)
			runc, err := oci.Program(f, spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []struct {
				name string
				p    bpf.Program
			}{{"filter", own}, {"runc", runc}} {
				rep, bad, err := checkCache(form.p, order, targets)
				if err != nil {
					t.Fatal(err)
				}
				reportBad(t, form.name, bad)
				t.Logf("%s program (%d instructions): %d syscalls ALLOWed whatever the arguments, %d of them cacheable; %d ALLOWed depending on the arguments, %d of them cacheable",
					form.name, len(form.p), rep.allowConst, rep.cached, rep.allowArgs, rep.cachedArgs)
				// The check must not pass for want of cases: Docker's
				// profile allows hundreds of syscalls outright and a
				// few (personality, clone, socket on most ABIs) only
				// for some arguments.
				if rep.allowConst < 250*len(targets) {
					t.Errorf("%s: only %d syscalls ALLOWed whatever the arguments", form.name, rep.allowConst)
				}
				if rep.allowArgs == 0 {
					t.Errorf("%s: no syscall found whose decision depends on its arguments", form.name)
				}
			}
		})
	}
}

// TestKernelCacheArgDependence checks the argument-dependence oracle of
// the cache test on syscalls whose rules in Docker's profile are known:
// personality(2) is allowed for a few personas only, read(2) always.
func TestKernelCacheArgDependence(t *testing.T) {
	f, _, abis := dockerFilter(t, dockerArchSets[0], dockerDefaultCaps)
	defer f.Release()
	p := exported(t, f, abis[0].ByteOrder())
	vm, err := bpf.NewVM(p, binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	vecs := argVectors(p)
	for _, tc := range []struct {
		name      string
		dependent bool
	}{
		{"read", false}, {"getppid", false}, {"futex", false},
		{"personality", true}, {"clone", true}, {"socket", true},
		{"acct", false}, {"mount", false},
	} {
		nr, ok := arch.X86_64.SyscallNumber(tc.name)
		if !ok || nr < 0 {
			t.Fatalf("no x86_64 number for %s", tc.name)
		}
		results := map[uint32]bool{}
		for _, v := range vecs {
			r, _, err := vm.Run(bpf.Data{Nr: nr, Arch: arch.X86_64.Token, Args: v})
			if err != nil {
				t.Fatal(err)
			}
			results[r] = true
		}
		if got := len(results) > 1; got != tc.dependent {
			t.Errorf("%s: depends on its arguments: %v, want %v (results %v)", tc.name, got, tc.dependent, fmt.Sprint(results))
		}
		want := len(results) == 1 && results[bpf.RetAllow]
		if cached := bpf.ConstAllow(p, arch.X86_64.Token, nr); cached != want {
			t.Errorf("%s: cacheable %v, want %v", tc.name, cached, want)
		}
	}
}

// TestKernelCacheCheckFails shows, on hand-written programs, that the
// cache check can fail and that its argument-dependence oracle works: an
// ALLOW reached only after loading an argument, which the kernel cannot
// cache although the result does not depend on the argument, is reported;
// an ALLOW that depends on an argument is recognised as such.
func TestKernelCacheCheckFails(t *testing.T) {
	const token = 0xc000003e
	arg0 := bpf.ArgOffset(0, false, binary.LittleEndian)
	uncached := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 1, 0, 1),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, arg0),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	}
	target := []probeTarget{{token: token, name: "test", nrs: []int32{0, 1, 2}}}
	rep, bad, err := checkCache(uncached, binary.LittleEndian, target)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 1 || rep.allowConst != 3 || rep.cached != 2 {
		t.Errorf("argument loaded before a constant ALLOW: report %+v, violations %q; want one violation, for nr 1", rep, bad)
	}

	dependent := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 1, 0, 2),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, arg0),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 0, 0, 1),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
	}
	rep, bad, err = checkCache(dependent, binary.LittleEndian, target)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 0 || rep.allowConst != 2 || rep.cached != 2 || rep.allowArgs != 1 || rep.cachedArgs != 0 {
		t.Errorf("argument-checked syscall: report %+v, violations %q; want nr 1 found argument-dependent and not cached", rep, bad)
	}
}
