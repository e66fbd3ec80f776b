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

// wholeProcessCommands builds scmp (as it ships, without cgo) and
// lscompile (with cgo, linking libseccomp) into a temporary directory,
// once per call, and writes Docker's default profile there.
func wholeProcessCommands(tb testing.TB) (scmp, lib, profile string) {
	tb.Helper()
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		tb.Skipf("no go tool: %v", err)
	}
	dir := tb.TempDir()
	scmp, lib, profile = filepath.Join(dir, "scmp"), filepath.Join(dir, "lscompile"), filepath.Join(dir, "docker-default.json")
	if err := os.WriteFile(profile, oci.DefaultProfile, 0o644); err != nil {
		tb.Fatal(err)
	}
	for _, b := range []struct {
		dir, out, pkg, cgo string
	}{{"..", scmp, "./cmd/scmp", "0"}, {".", lib, "./internal/cmd/lscompile", "1"}} {
		cmd := exec.Command(goTool, "build", "-o", b.out, b.pkg)
		cmd.Dir = b.dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED="+b.cgo)
		if out, err := cmd.CombinedOutput(); err != nil {
			tb.Fatalf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return scmp, lib, profile
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
// its own, from exec to exit: "scmp compile" against a Go program that
// builds the same profile through libseccomp-golang, as runc does
// (internal/cmd/lscompile). Both read the profile from a file, resolve it
// for Docker's default capabilities and a 6.8 kernel, and write the BPF
// program to a file. The two run as fresh processes, alternately, at least
// wholeProcessRounds times each (b.N times when that is more); ns/op is
// the median wall time of one run and cpu-ns/op the median of its user
// and system time. Sub-benchmark ours also reports ratio, its median wall
// time over libseccomp's in the same rounds.
func BenchmarkWholeProcess(b *testing.B) {
	scmp, lib, profile := wholeProcessCommands(b)
	dir := filepath.Dir(profile)
	oursOut, libOut := filepath.Join(dir, "ours.bpf"), filepath.Join(dir, "lib.bpf")
	runOurs := func() processRun {
		return runProcess(b, oursOut, scmp, "compile", "--arch", "x86_64,x86,x32", "--kernel", "6.8", "-o", oursOut, profile)
	}
	runLib := func() processRun { return runProcess(b, libOut, lib, "-o", libOut, profile) }
	measure := func(b *testing.B, timed, other func() processRun, withRatio bool) {
		n := max(b.N, wholeProcessRounds)
		var wall, cpu, otherWall []time.Duration
		b.ResetTimer()
		for i := range n {
			// Alternate which command runs first in a round.
			if i%2 == 1 {
				b.StopTimer()
				otherWall = append(otherWall, other().wall)
				b.StartTimer()
			}
			r := timed()
			wall, cpu = append(wall, r.wall), append(cpu, r.cpu)
			if i%2 == 0 {
				b.StopTimer()
				otherWall = append(otherWall, other().wall)
				b.StartTimer()
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(median(wall)), "ns/op")
		b.ReportMetric(float64(median(cpu)), "cpu-ns/op")
		if withRatio {
			b.ReportMetric(float64(median(wall))/float64(median(otherWall)), "ratio")
		}
	}
	b.Run("ours", func(b *testing.B) { measure(b, runOurs, runLib, true) })
	b.Run("libseccomp", func(b *testing.B) { measure(b, runLib, runOurs, false) })
}
