package arch

import (
	"strings"
	"testing"
)

// The benchmarks in this file time the lookups through the exported API
// only, on every ABI, for names and numbers that resolve (hit) and ones
// that do not (miss).

// benchNames returns every syscall name the tables know, and as many
// unknown names made from them by the edits a typo makes: a byte
// dropped, added or changed, a prefix or a suffix.
func benchNames() (hits, misses []string) {
	hits = SyscallNames()
	for i, n := range hits {
		var m string
		switch i % 5 {
		case 0:
			m = n + "x"
		case 1:
			m = n[:len(n)-1]
		case 2:
			m = "x" + n
		case 3:
			m = strings.ToUpper(n[:1]) + n[1:]
		case 4:
			m = n[:len(n)/2] + "-" + n[len(n)/2+1:]
		}
		if _, ok := X86_64.SyscallNumber(m); !ok {
			misses = append(misses, m)
		}
	}
	return hits, misses
}

// benchNumbers returns the numbers of the syscalls a has, as a process
// passes them, and as many numbers near them that name no syscall.
func benchNumbers(a *Arch) (hits, misses []int32) {
	for _, n := range SyscallNames() {
		if nr, ok := a.SyscallNumber(n); ok && nr >= 0 {
			hits = append(hits, nr)
		}
	}
	lo, hi := hits[0], hits[0]
	for _, nr := range hits {
		lo, hi = min(lo, nr), max(hi, nr)
	}
	for nr := lo - 8; len(misses) < len(hits) && nr < hi+4096; nr++ {
		if _, ok := a.SyscallName(nr); !ok {
			misses = append(misses, nr)
		}
	}
	for nr := int32(-1); len(misses) < len(hits); nr -= 7 {
		if _, ok := a.SyscallName(nr); !ok {
			misses = append(misses, nr)
		}
	}
	return hits, misses
}

func BenchmarkResolveName(b *testing.B) {
	hits, misses := benchNames()
	for _, a := range All() {
		for _, set := range []struct {
			kind  string
			names []string
			want  bool
		}{{"hit", hits, true}, {"miss", misses, false}} {
			b.Run(a.Name+"/"+set.kind, func(b *testing.B) {
				names := set.names
				found := 0
				for i := 0; i < b.N; i++ {
					if _, ok := a.SyscallNumber(names[i%len(names)]); ok {
						found++
					}
				}
				if (found > 0) != set.want {
					b.Fatalf("%d of %d lookups found a syscall", found, b.N)
				}
				benchSink = found
			})
		}
	}
}

func BenchmarkResolveNumber(b *testing.B) {
	for _, a := range All() {
		hits, misses := benchNumbers(a)
		for _, set := range []struct {
			kind string
			nrs  []int32
			want bool
		}{{"hit", hits, true}, {"miss", misses, false}} {
			b.Run(a.Name+"/"+set.kind, func(b *testing.B) {
				nrs := set.nrs
				found := 0
				for i := 0; i < b.N; i++ {
					if _, ok := a.SyscallName(nrs[i%len(nrs)]); ok {
						found++
					}
				}
				if (found > 0) != set.want {
					b.Fatalf("%d of %d lookups found a syscall", found, b.N)
				}
				benchSink = found
			})
		}
	}
}

func BenchmarkLookupArch(b *testing.B) {
	var names []string
	var tokens, scmp []uint32
	for _, a := range All() {
		names = append(names, a.Name)
		tokens = append(tokens, a.Token)
		scmp = append(scmp, a.ScmpToken)
	}
	missNames := []string{"x86-64", "amd64", "arm64", "mips32", "X86", "", "ppc64be", "riscv32"}
	missTokens := []uint32{0, 1, 0x4000003f, 0xc00000b8, 0x80000009, 0xffffffff, 0x40000029 | 0x80000000, 0x17}
	run := func(name string, n int, f func(i int) bool, want bool) {
		b.Run(name, func(b *testing.B) {
			found := 0
			for i := 0; i < b.N; i++ {
				if f(i % n) {
					found++
				}
			}
			if (found > 0) != want {
				b.Fatalf("%d of %d lookups found an ABI", found, b.N)
			}
			benchSink = found
		})
	}
	run("name/hit", len(names), func(i int) bool { _, ok := Lookup(names[i]); return ok }, true)
	run("name/miss", len(missNames), func(i int) bool { _, ok := Lookup(missNames[i]); return ok }, false)
	run("token/hit", len(tokens), func(i int) bool { _, ok := ByToken(tokens[i]); return ok }, true)
	run("token/miss", len(missTokens), func(i int) bool { _, ok := ByToken(missTokens[i]); return ok }, false)
	run("scmp/hit", len(scmp), func(i int) bool { _, ok := ByScmpToken(scmp[i]); return ok }, true)
	run("scmp/miss", len(missTokens), func(i int) bool { _, ok := ByScmpToken(missTokens[i]); return ok }, false)
}
