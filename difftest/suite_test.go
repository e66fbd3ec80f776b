package difftest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/arch"
)

// The libseccomp release whose regression suite TestLibseccompSuite
// runs. The Go module proxy serves any tagged GitHub repository as a
// module, so the go command fetches (and checksums) its source.
const (
	suiteModule  = "github.com/seccomp/libseccomp"
	suiteVersion = "v2.6.1+incompatible"
)

// fetchSuite returns the directory of libseccomp's source in the module
// cache, downloading it if needed. Without it the test fails when CI is
// set and is skipped otherwise.
func fetchSuite(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(goCmd, "mod", "download", "-json", suiteModule+"@"+suiteVersion)
	// Outside any module, so that neither go.mod nor go.sum changes.
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var info struct{ Dir, Error string }
	jsonErr := json.Unmarshal(out, &info)
	if runErr != nil || jsonErr != nil || info.Error != "" || info.Dir == "" {
		why := info.Error
		if why == "" {
			why = strings.TrimSpace(stderr.String())
		}
		if why == "" && runErr != nil {
			why = runErr.Error()
		}
		if why == "" && jsonErr != nil {
			why = "unreadable output: " + jsonErr.Error()
		}
		if why == "" {
			why = "no directory in the output"
		}
		msg := fmt.Sprintf("cannot download libseccomp's test suite (go mod download %s@%s): %s",
			suiteModule, suiteVersion, why)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; the test needs the Go module proxy (or the module cache), and fails instead when CI=true")
	}
	return info.Dir
}

// newSuiteBuild fetches libseccomp's source and prepares to compile its
// test programs against the shim, in a scratch directory.
func newSuiteBuild(t *testing.T) *suiteBuild {
	t.Helper()
	src := fetchSuite(t)
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "gcc"
	}
	if _, err := exec.LookPath(cc); err != nil {
		t.Fatalf("the suite's programs need a C compiler: %v (set CC)", err)
	}
	b := &suiteBuild{src: src, dir: t.TempDir(), cc: cc}
	if err := b.prepare(); err != nil {
		t.Fatal(err)
	}
	return b
}

// suiteBuild compiles libseccomp's test programs against the shim.
type suiteBuild struct {
	src  string // libseccomp's source
	dir  string // scratch directory: include/, objects, programs
	cc   string
	objs []string // the shim and tests/util.c
}

func (b *suiteBuild) run(args ...string) error {
	cmd := exec.Command(b.cc, args...)
	cmd.Dir = b.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", b.cc, strings.Join(args, " "), err, out)
	}
	return nil
}

// prepare writes seccomp.h (from seccomp.h.in, with the release's
// version filled in) and compiles the shim and the suite's util.c.
func (b *suiteBuild) prepare() error {
	inc := filepath.Join(b.dir, "include")
	if err := os.MkdirAll(inc, 0o755); err != nil {
		return err
	}
	in, err := os.ReadFile(filepath.Join(b.src, "include", "seccomp.h.in"))
	if err != nil {
		return err
	}
	ver := strings.Split(strings.TrimSuffix(strings.TrimPrefix(suiteVersion, "v"), "+incompatible"), ".")
	h := strings.NewReplacer("@VERSION_MAJOR@", ver[0], "@VERSION_MINOR@", ver[1], "@VERSION_MICRO@", ver[2]).Replace(string(in))
	if strings.Contains(h, "@VERSION_") {
		return fmt.Errorf("seccomp.h.in has a version placeholder this test does not fill in")
	}
	if err := os.WriteFile(filepath.Join(inc, "seccomp.h"), []byte(h), 0o644); err != nil {
		return err
	}
	sys, err := os.ReadFile(filepath.Join(b.src, "include", "seccomp-syscalls.h"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(inc, "seccomp-syscalls.h"), sys, 0o644); err != nil {
		return err
	}
	shim, err := filepath.Abs(filepath.Join("testdata", "scmpshim", "scmpshim.c"))
	if err != nil {
		return err
	}
	if err := b.run("-std=gnu99", "-O1", "-Wall", "-Wextra", "-Werror", "-Iinclude", "-c", "-o", "scmpshim.o", shim); err != nil {
		return err
	}
	if err := b.run("-O1", "-w", "-Iinclude", "-c", "-o", "util.o", filepath.Join(b.src, "tests", "util.c")); err != nil {
		return err
	}
	b.objs = []string{"scmpshim.o", "util.o"}
	return nil
}

// program compiles tests/NAME.c and returns the executable's path.
func (b *suiteBuild) program(name string) (string, error) {
	exe := filepath.Join(b.dir, name)
	args := []string{"-O1", "-w", "-Iinclude", "-I" + filepath.Join(b.src, "tests"), "-o", exe,
		filepath.Join(b.src, "tests", name+".c")}
	return exe, b.run(append(args, b.objs...)...)
}

// runShimmed runs a test program as the regression script runs it for
// bpf-sim ("./NAME -b"), answering its libseccomp calls through replay.
func runShimmed(exe string, replay *shimReplay) (output string, err error) {
	reqR, reqW, err := os.Pipe()
	if err != nil {
		return "", err
	}
	ansR, ansW, err := os.Pipe()
	if err != nil {
		reqR.Close()
		reqW.Close()
		return "", err
	}
	// A deadline only turns a hung program into a failure.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-b")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.ExtraFiles = []*os.File{reqW, ansR} // fds 3 and 4
	startErr := cmd.Start()
	reqW.Close()
	ansR.Close()
	if startErr != nil {
		reqR.Close()
		ansW.Close()
		return "", startErr
	}
	serveErr := replay.serve(reqR, ansW)
	if serveErr != nil {
		cmd.Process.Kill()
	}
	reqR.Close()
	ansW.Close()
	waitErr := cmd.Wait()
	switch {
	case serveErr != nil:
		return out.String(), serveErr
	case waitErr != nil:
		return out.String(), fmt.Errorf("%s -b: %v", filepath.Base(exe), waitErr)
	}
	return out.String(), nil
}

// TestLibseccompSuite runs libseccomp's own regression programs
// (tests/NN-*.c of the release, fetched through the Go module proxy) with
// every libseccomp call answered by seccomp-go, then checks the filter
// each program exports against the bpf-sim vectors of its .tests file,
// on the native ABI and the others a vector names, with the bpf
// interpreter. The programs check seccomp-go's return codes where they
// check libseccomp's, including the calls that must fail.
func TestLibseccompSuite(t *testing.T) {
	native := arch.Native()
	if native == nil {
		t.Skipf("libseccomp has no ABI for GOARCH %s", runtime.GOARCH)
	}
	b := newSuiteBuild(t)
	src := b.src
	groups, err := parseArchGroups(filepath.Join(src, "tests", "regression"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(src, "tests", "*.tests"))
	if err != nil {
		t.Fatal(err)
	}
	byTest := map[string][]simVector{}
	total := 0
	for _, f := range files {
		vs, err := parseSimVectors(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			byTest[v.test] = append(byTest[v.test], v)
		}
		total += len(vs)
	}
	if total == 0 {
		t.Fatalf("no bpf-sim vectors in %d .tests files under %s", len(files), src)
	}
	var tests []string
	for name := range byTest {
		tests = append(tests, name)
	}
	sort.Strings(tests)

	level, err := ours.GetAPI()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := ours.SetAPI(level); err != nil {
			t.Error(err)
		}
	}()

	ran := 0
	var selected, passed, skipped, cases, inputs, calls int
	for _, name := range tests {
		vectors := byTest[name]
		t.Run(name, func(t *testing.T) {
			ran++
			selected += len(vectors)
			// Some programs force an API level; each starts from the
			// detected one.
			if err := ours.SetAPI(level); err != nil {
				t.Fatal(err)
			}
			exe, err := b.program(name)
			if err != nil {
				t.Fatal(err)
			}
			replay := newShimReplay(native)
			defer replay.release()
			out, err := runShimmed(exe, replay)
			calls += replay.calls
			if err != nil {
				t.Fatalf("%v\noutput: %s\nlast calls:\n%s", err, out, replay.tail(30))
			}
			if replay.exported == nil {
				t.Fatalf("the program exported no filter\nlast calls:\n%s", replay.tail(30))
			}
			if replay.exportedErr != nil {
				t.Errorf("Verify of the exported filter: %v", replay.exportedErr)
			}
			prog := newSimProgram(replay.exported)
			notSelected := map[string]int{}
			for _, v := range vectors {
				names := expandArchSpec(v.arches, native.Name, groups)
				if len(names) == 0 {
					notSelected[v.arches]++
					skipped++
					continue
				}
				var verr error
				for _, n := range names {
					a, ok := arch.Lookup(n)
					if !ok {
						verr = fmt.Errorf("unknown ABI %q", n)
						break
					}
					var k int
					k, verr = prog.check(a, v)
					inputs += k
					cases++
					if verr != nil {
						break
					}
				}
				if verr != nil {
					t.Errorf("%s: %v", v, verr)
					continue
				}
				passed++
			}
			var specs []string
			for spec, n := range notSelected {
				specs = append(specs, fmt.Sprintf("%d for %q", n, spec))
			}
			if len(specs) > 0 {
				sort.Strings(specs)
				t.Logf("%d vectors skipped, their ABI column selects nothing on native %s: %s",
					sum(notSelected), native.Name, strings.Join(specs, ", "))
			}
		})
	}
	t.Logf("conformance: libseccomp %s regression suite: %d/%d bpf-sim vectors passed, %d skipped (not for native %s), %d/%d test programs run, %d libseccomp calls answered, %d vector×ABI cases, %d simulated inputs",
		suiteVersion, passed, selected, skipped, native.Name, ran, len(tests), calls, cases, inputs)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
