package difftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/oci"
)

// wholeProcessCommands builds scmp (as it ships, without cgo), lscompile
// (with cgo, linking libseccomp) and gofloor (without cgo) into a
// temporary directory, once per call, and writes Docker's default profile
// there.
func wholeProcessCommands(tb testing.TB) (scmp, lib, floor, profile string) {
	tb.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		tb.Skipf("no go tool: %v", err)
	}
	dir := tb.TempDir()
	scmp, lib, floor = filepath.Join(dir, "scmp"), filepath.Join(dir, "lscompile"), filepath.Join(dir, "gofloor")
	profile = filepath.Join(dir, "docker-default.json")
	if err := os.WriteFile(profile, oci.DefaultProfile, 0o644); err != nil {
		tb.Fatal(err)
	}
	for _, b := range []struct {
		dir, out, pkg, cgo string
	}{
		{"..", scmp, "./cmd/scmp", "0"},
		{".", lib, "./internal/cmd/lscompile", "1"},
		{".", floor, "./internal/cmd/gofloor", "0"},
	} {
		cmd := exec.Command(goTool, "build", "-o", b.out, b.pkg)
		cmd.Dir = b.dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+b.cgo)
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return scmp, lib, floor, profile
}

// A processRun is the cost of one run of a command.
type processRun struct {
	wall, cpu time.Duration // cpu: user and system time
}

// runProcess runs a command as a fresh process, with its output going to
// out, and returns what it cost.
func runProcess(tb testing.TB, out string, name string, args ...string) processRun {
	tb.Helper()
	if err := os.Remove(out); err != nil && !os.IsNotExist(err) {
		tb.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		tb.Fatalf("%s %v: %v\n%s", name, args, err, stderr.Bytes())
	}
	st, err := os.Stat(out)
	if err != nil || st.Size() == 0 || st.Size()%8 != 0 {
		tb.Fatalf("%s wrote no BPF program to %s: %v", name, out, err)
	}
	return processRun{wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
}

// wholeProcessRounds is the fewest runs of each command per measurement.
const wholeProcessRounds = 9

// BenchmarkWholeProcess measures what it costs a container runtime to
// compile Docker's default profile for x86_64, x86 and x32 in a process of
// its own, from exec to exit: "scmp compile" (sub-benchmark ours) against
// a Go program that builds the same profile through libseccomp-golang, as
// runc does (internal/cmd/lscompile, sub-benchmark libseccomp). Both read
// the profile from a file, resolve it for Docker's default capabilities
// and a 6.8 kernel, and write the BPF program to a file. Sub-benchmark
// floor runs internal/cmd/gofloor, which only reads the profile and
// writes a fixed program: the least a Go command can cost here.
//
// The three run as fresh processes in rounds, at least
// wholeProcessRounds of them (b.N when that is more), each round in
// another order; every sub-benchmark runs its own rounds. ns/op is the
// median wall time of one run and cpu-ns/op the median of its user and
// system time; ours and floor also report ratio, their median wall time
// over libseccomp's in the same rounds.
func BenchmarkWholeProcess(b *testing.B) {
	scmp, lib, floor, profile := wholeProcessCommands(b)
	dir := filepath.Dir(profile)
	commands := []struct {
		name string
		run  func() processRun
	}{
		{"ours", func() processRun {
			out := filepath.Join(dir, "ours.bpf")
			return runProcess(b, out, scmp, "compile", "--arch", "x86_64,x86,x32", "--kernel", "6.8", "-o", out, profile)
		}},
		{"libseccomp", func() processRun {
			out := filepath.Join(dir, "lib.bpf")
			return runProcess(b, out, lib, "-o", out, profile)
		}},
		{"floor", func() processRun {
			out := filepath.Join(dir, "floor.bpf")
			return runProcess(b, out, floor, "-o", out, profile)
		}},
	}
	const libIndex = 1
	for timed, c := range commands {
		b.Run(c.name, func(b *testing.B) {
			n := max(b.N, wholeProcessRounds)
			wall := make([][]time.Duration, len(commands))
			var cpu []time.Duration
			b.ResetTimer()
			for round := range n {
				for k := range commands {
					i := (round + k) % len(commands)
					if i != timed {
						b.StopTimer()
						wall[i] = append(wall[i], commands[i].run().wall)
						b.StartTimer()
						continue
					}
					r := commands[i].run()
					wall[i], cpu = append(wall[i], r.wall), append(cpu, r.cpu)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(median(wall[timed])), "ns/op")
			b.ReportMetric(float64(median(cpu)), "cpu-ns/op")
			if timed != libIndex {
				b.ReportMetric(float64(median(wall[timed]))/float64(median(wall[libIndex])), "ratio")
			}
		})
	}
}
