package db

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// dump describes everything a collection's rule databases and
// transaction stack hold, built snapshots included.
func dump(c *Collection) string {
	var b strings.Builder
	one := func(f *archDB) {
		if f.lazy {
			// a built copy, leaving f lazy
			f = &archDB{arch: f.arch, rules: f.rules, native: f.native, lazy: true}
			f.materialize()
		}
		fmt.Fprintf(&b, "%s rules=%d\n", f.arch.Name, len(f.rules))
		for _, s := range f.appendSorted(nil) {
			fmt.Fprintf(&b, "  %d pri=%x cnt=%d %s\n", s.num, s.priority, s.nodeCnt, fingerprint(s))
		}
	}
	for _, f := range c.filters {
		one(f)
	}
	for i, s := range c.snaps {
		fmt.Fprintf(&b, "snapshot %d shadow=%v user=%v\n", i, s.shadow, s.user)
		for _, f := range s.filters {
			if s.track != 0 {
				// a tracking snapshot holds all of its
				// sources' rules, whatever its copies say
				n := len(f.src.rules)
				f = &archDB{arch: f.arch, rules: f.src.rules[:n:n], native: f.native, lazy: true}
			}
			one(f)
		}
	}
	return b.String()
}

// TestLazySnapshots runs random call sequences, transactions included, on
// a collection with lazy snapshots and on one whose snapshots are built
// at once, as libseccomp builds them, and requires the same result and
// the same state after every call.
func TestLazySnapshots(t *testing.T) {
	abis := []*arch.Arch{arch.X86_64, arch.X86, arch.X32, arch.AArch64}
	// read, socket (multiplexed on x86), a number x86 lacks, -1, and a
	// few more
	nrs := []int32{0, 1, 2, 41, 42, 49, 50, 56, 57, 101, 300, 334, -1}
	acts := []Action{ActAllow, ActErrno | 1, ActErrno | 2, ActTrap, ActLog}
	seeds := 80
	if testing.Short() {
		seeds = 25
	}
	for seed := 0; seed < seeds; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		var cols [2]*Collection
		for i := range cols {
			c, err := New(ActKillThread, arch.X86_64, nil)
			if err != nil {
				t.Fatal(err)
			}
			if i == 1 {
				// the reference: built snapshots, fresh memory
				c.eager = true
				withoutStorage(c)
			}
			cols[i] = c
		}
		var log []string
		for step := 0; step < 120; step++ {
			var desc string
			var op func(c *Collection) error
			switch k := r.IntN(20); {
			case k < 11:
				act := acts[r.IntN(len(acts))]
				nr := nrs[r.IntN(len(nrs))]
				exact := r.IntN(10) == 0
				var conds []Cond
				for n := r.IntN(4); n > 0; n-- {
					cd := Cond{Arg: uint32(r.IntN(3)), Op: 1 + r.IntN(7), A: uint64(r.IntN(3))}
					if r.IntN(4) == 0 {
						cd.A |= 1 << 32
					}
					if cd.Op == cmpMaskedEQ {
						cd.A, cd.B = 3, uint64(r.IntN(3))
					}
					conds = append(conds, cd)
				}
				desc = fmt.Sprintf("AddRule(%#x, %d, %v, %v)", act, nr, exact, conds)
				op = func(c *Collection) error { return c.AddRule(act, nr, exact, conds) }
			case k < 13:
				a := abis[r.IntN(len(abis))]
				desc = "AddArch " + a.Name
				op = func(c *Collection) error { return c.AddArch(a) }
			case k < 14:
				a := abis[r.IntN(len(abis))]
				desc = "RemoveArch " + a.Name
				op = func(c *Collection) error { return c.RemoveArch(a) }
			case k < 16:
				desc = "TransactionStart"
				op = func(c *Collection) error { return c.TransactionStart() }
			case k < 17:
				desc = "TransactionCommit"
				op = func(c *Collection) error { return c.TransactionCommit() }
			case k < 18:
				desc = "TransactionReject"
				op = func(c *Collection) error { c.TransactionReject(); return nil }
			case k < 19:
				nr := nrs[r.IntN(len(nrs))]
				p := uint8(r.IntN(256))
				desc = fmt.Sprintf("SetPriority(%d, %d)", nr, p)
				op = func(c *Collection) error { return c.SetPriority(nr, p) }
			default:
				// a collection with another native ABI, merged in
				nr := nrs[r.IntN(len(nrs))]
				desc = fmt.Sprintf("Merge(x86 native with rule %d)", nr)
				op = func(c *Collection) error {
					src, err := New(ActKillThread, arch.X86, nil)
					if err != nil {
						return err
					}
					if c.eager {
						withoutStorage(src)
					}
					if err := src.AddRule(ActAllow, nr, false, nil); err != nil {
						return err
					}
					if err := c.Merge(src); err != nil || c.eager {
						return err
					}
					// memory from the pool now goes to
					// another collection and is written to
					churn(ActAllow)
					return nil
				}
			}
			log = append(log, desc)
			e0, e1 := op(cols[0]), op(cols[1])
			d0, d1 := dump(cols[0]), dump(cols[1])
			if e0 != e1 || d0 != d1 {
				t.Fatalf("seed %d: after\n%s\nlazy: %v\n%s\nbuilt: %v\n%s", seed, strings.Join(log, "\n"), e0, d0, e1, d1)
			}
		}
		// the next seed's lazy collection reuses this memory
		cols[0].Release()
	}
}

// churn builds and releases a collection with rules on every number the
// tests use, with and without conditions, so that the memory the pool
// holds is taken, written to and handed back.
func churn(act Action) {
	for range 2 {
		x, err := New(ActKillThread, arch.X86_64, nil)
		if err != nil {
			panic(err)
		}
		for _, nr := range []int32{0, 1, 2, 41, 42, 49, 50, 56, 57, 101, 300, 334} {
			x.AddRule(act, nr, false, []Cond{{Arg: 1, Op: cmpGT, A: 7}})
			x.AddRule(act, nr+1, false, nil)
		}
		x.Release()
	}
}

// withoutStorage makes c allocate fresh memory only, as the reference
// the tests compare reused memory with.
func withoutStorage(c *Collection) {
	c.st = nil
	c.rules.pool = nil
	for _, f := range c.filters {
		f.alloc = newAllocator(nil)
	}
}

// TestEntryTable adds entries in random order, across the table's window
// and outside it, and checks that each is found and that they come out
// sorted.
func TestEntryTable(t *testing.T) {
	for seed := 0; seed < 50; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 3))
		pool := []uint32{0, 1, 5, 1023, 1024, 4095, 4096, 5000, 0x40000000, 0x40000001,
			0x40000000 + tableSpan, 0x7ffffc00, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff}
		for i := 0; i < 20; i++ {
			pool = append(pool, uint32(r.IntN(600)), 0x40000000+uint32(r.IntN(600)), 4000+uint32(r.IntN(500)))
		}
		r.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		db := &archDB{arch: arch.X86_64}
		want := map[uint32]bool{}
		for _, num := range pool {
			if db.entry(num) != nil {
				if !want[num] {
					t.Fatalf("seed %d: %#x found before it was added", seed, num)
				}
				continue
			}
			db.insert(&sysEntry{num: num})
			want[num] = true
		}
		var got []uint32
		for _, s := range db.appendSorted(nil) {
			got = append(got, s.num)
		}
		if len(got) != len(want) {
			t.Fatalf("seed %d: %d entries listed, %d added", seed, len(got), len(want))
		}
		for i, num := range got {
			if i > 0 && got[i-1] >= num {
				t.Fatalf("seed %d: not sorted: %#x then %#x", seed, got[i-1], num)
			}
			if s := db.entry(num); s == nil || s.num != num {
				t.Fatalf("seed %d: %#x not found", seed, num)
			}
		}
	}
}

// TestResolveCache compares the cached translation of native syscall
// numbers with the uncached one, on first use and from the cache.
func TestResolveCache(t *testing.T) {
	pairs := [][2]*arch.Arch{
		{arch.X86_64, arch.X86}, {arch.X86_64, arch.X32}, {arch.X86, arch.X86_64},
		{arch.X86_64, arch.S390X}, {arch.AArch64, arch.ARM}, {arch.X86, arch.X86},
	}
	var nrs []int32
	for nr := int32(-10000 - xlateMax - 3); nr < xlateMax+3; nr++ {
		if nr > -9990 && nr < -300 {
			nr = -300
		}
		nrs = append(nrs, nr)
	}
	for _, p := range pairs {
		db := &archDB{arch: p[1]}
		for round := 0; round < 2; round++ {
			for _, nr := range nrs {
				out, m, ok, err := db.resolve(p[0], nr)
				wout, wm, wok, werr := resolveUncached(p[0], p[1], nr)
				if out != wout || m != wm || ok != wok || err != werr {
					t.Fatalf("%s -> %s, %d (round %d): got %d %v %v %v, want %d %v %v %v",
						p[0].Name, p[1].Name, nr, round, out, m, ok, err, wout, wm, wok, werr)
				}
			}
		}
	}
}

// TestEntryCount checks that entryCount, the size of Filters' list of a
// database's entries, is their number for databases built by adding
// rules, pseudo-syscall numbers and priorities included.
func TestEntryCount(t *testing.T) {
	c, err := New(errno1, arch.X86_64, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.AddArch(arch.X86)
	c.AddArch(arch.X32)
	for i, name := range arch.SyscallNames() {
		nr, ok := arch.X86_64.SyscallNumber(name)
		if !ok || i%3 != 0 {
			continue
		}
		var conds []Cond
		if i%7 == 0 {
			conds = []Cond{c6(0, cmpEQ, uint64(i))}
		}
		if i%5 == 0 {
			c.SetPriority(nr, 100)
		}
		if err := c.AddRule(ActAllow, nr, false, conds); err != nil && err != syscall.EDOM {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, f := range c.filters {
		if n, want := f.entryCount(), len(f.appendSorted(nil)); n != want {
			t.Errorf("%s: entryCount %d, %d entries", f.arch.Name, n, want)
		}
	}
}

// TestResolveCacheSpan checks that the translation cache holds every
// pseudo number and every syscall number but the offset ones (MIPS's
// start at 4000, x32's and ARM's private ones far above).
func TestResolveCacheSpan(t *testing.T) {
	for _, a := range arch.All() {
		for _, name := range arch.SyscallNames() {
			nr, ok := a.SyscallNumber(name)
			switch {
			case !ok:
			case nr <= -10000 && nr <= -10000-xlatePseudo:
				t.Errorf("%s: %s is pseudo number %d, past the cache's %d", a.Name, name, nr, -10000-xlatePseudo+1)
			case nr >= 0 && nr < 4000 && nr >= xlateMax:
				t.Errorf("%s: %s is number %d, past the cache's %d", a.Name, name, nr, xlateMax-1)
			}
		}
	}
}

// TestResolveCacheConcurrent fills and reads the process-wide translation
// cache from several goroutines at once (run with -race).
func TestResolveCacheConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db := &archDB{arch: arch.MIPS}
			for nr := int32(xlateMax - 1); nr >= 0; nr-- {
				out, m, ok, err := db.resolve(arch.ARM, nr)
				wout, wm, wok, werr := resolveUncached(arch.ARM, arch.MIPS, nr)
				if out != wout || m != wm || ok != wok || err != werr {
					errs <- fmt.Sprintf("arm -> mips, %d: got %d %v %v %v, want %d %v %v %v", nr, out, m, ok, err, wout, wm, wok, werr)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
