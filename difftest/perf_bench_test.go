package difftest

import (
	"os"
	"testing"
)

// BenchmarkDockerBuild measures what a runtime pays to turn Docker's
// default profile into a program, through each library: creating the
// filter, adding its rules, and exporting the BPF program. Unlike
// BenchmarkDockerCompile, whose seccomp-go builds also prove the program
// equal to the rules (ScmpFilter.Verify), it does nothing libseccomp does
// not do. seccomp-go writes the program to memory, libseccomp to
// /dev/null. libseccomp's allocations are made in C and do not show in
// allocs/op.
func BenchmarkDockerBuild(b *testing.B) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	sets := dockerRuleSets(b)
	for _, an := range benchArches {
		rs := sets[an]
		b.Run(an+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f, bt := newOursFilter(rs, 0)
				if f == nil {
					b.Fatalf("NewFilter: %s", bt.NewFilter)
				}
				_, err := f.ExportBPFMem()
				f.Release()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, level := range []int{1, 2} {
			name := map[int]string{1: "libseccomp-O1", 2: "libseccomp-O2"}[level]
			b.Run(an+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					f, bt := newLibFilter(rs, level)
					if f == nil {
						b.Fatalf("NewFilter: %s", bt.NewFilter)
					}
					err := f.ExportBPF(null)
					f.Release()
					if err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDockerExport measures code generation alone: the export of the
// BPF program of Docker's default profile from a filter whose rules are
// already in place, through each library. Each iteration exports a freshly
// built filter (seccomp-go keeps the program it compiled until the rules
// change, and libseccomp 2.5.4 slows down on repeated exports of one
// filter); building the filter is left out of the time. seccomp-go writes
// the program to memory, libseccomp to /dev/null. libseccomp's allocations
// are made in C and do not show in allocs/op.
func BenchmarkDockerExport(b *testing.B) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	sets := dockerRuleSets(b)
	for _, an := range benchArches {
		rs := sets[an]
		b.Run(an+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				f, bt := newOursFilter(rs, 0)
				if f == nil {
					b.Fatalf("NewFilter: %s", bt.NewFilter)
				}
				b.StartTimer()
				_, err := f.ExportBPFMem()
				b.StopTimer()
				f.Release()
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
		for _, level := range []int{1, 2} {
			name := map[int]string{1: "libseccomp-O1", 2: "libseccomp-O2"}[level]
			b.Run(an+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					f, bt := newLibFilter(rs, level)
					if f == nil {
						b.Fatalf("NewFilter: %s", bt.NewFilter)
					}
					b.StartTimer()
					err := f.ExportBPF(null)
					b.StopTimer()
					f.Release()
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
			})
		}
	}
}
