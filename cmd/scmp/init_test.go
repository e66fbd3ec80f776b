package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// modulePath is the path of the module's packages in init traces.
const modulePath = "github.com/seccomp-go/seccomp"

// pkgInit is what GODEBUG=inittrace=1 reports for the init of one
// package.
type pkgInit struct {
	pkg    string
	clock  float64 // milliseconds
	bytes  int
	allocs int
}

// moduleInits runs the built command once as "scmp --help" with
// GODEBUG=inittrace=1 and an environment of that alone, and returns the
// inits of the module's packages and of the command's main package. A
// package with nothing to do at start has none.
func moduleInits(tb testing.TB, bin string) []pkgInit {
	tb.Helper()
	cmd := exec.Command(bin, "--help")
	cmd.Env = []string{"GODEBUG=inittrace=1"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		tb.Fatalf("scmp --help: %v\n%s", err, stderr.Bytes())
	}
	var inits []pkgInit
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "init ") {
			continue
		}
		// init PKG @T ms, C ms clock, B bytes, A allocs
		var p pkgInit
		var at float64
		if _, err := fmt.Sscanf(line, "init %s @%g ms, %g ms clock, %d bytes, %d allocs", &p.pkg, &at, &p.clock, &p.bytes, &p.allocs); err != nil {
			tb.Fatalf("unexpected init trace line %q: %v", line, err)
		}
		if p.pkg == "main" || p.pkg == modulePath || strings.HasPrefix(p.pkg, modulePath+"/") {
			inits = append(inits, p)
		}
	}
	return inits
}

// TestInitAllocations checks that starting the command costs next to
// nothing in the module's packages: the syscall tables, their indexes and
// the other lookup tables are static data, so no package's init allocates
// anything, but for package sandbox's one look at the environment (the
// standard library copies it at the first look) and main's few small
// tables. An init that built a table per syscall or per ABI at start
// would allocate hundreds of times. Times are left to BenchmarkInit.
func TestInitAllocations(t *testing.T) {
	inits := moduleInits(t, scmpBinary(t))
	total, totalBytes := 0, 0
	for _, p := range inits {
		total += p.allocs
		totalBytes += p.bytes
		if p.pkg != "main" && p.pkg != modulePath+"/sandbox" && p.allocs != 0 {
			t.Errorf("init of %s allocates %d bytes in %d allocations; make its tables static or build them at their first use", p.pkg, p.bytes, p.allocs)
		}
	}
	if total > 32 || totalBytes > 4096 {
		t.Errorf("the module's inits allocate %d bytes in %d allocations (%+v); at most 4096 bytes in 32 were expected", totalBytes, total, inits)
	}
}

// BenchmarkInit runs "scmp --help" and reports, as init-µs, the time the
// inits of the module's packages and of main take by the runtime's init
// trace, as the median of the runs, and their allocations as
// init-allocs. ns/op is the time the whole process takes.
func BenchmarkInit(b *testing.B) {
	bin := scmpBinary(b)
	var clocks []float64
	allocs := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var sum float64
		for _, p := range moduleInits(b, bin) {
			sum += p.clock
			allocs += p.allocs
		}
		clocks = append(clocks, sum*1000)
	}
	b.StopTimer()
	sort.Float64s(clocks)
	b.ReportMetric(clocks[len(clocks)/2], "init-µs")
	b.ReportMetric(float64(allocs)/float64(b.N), "init-allocs")
}
