package difftest

import (
	"os"
	"testing"

	ours "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/oci"
)

// testProfiles returns the profiles compared: Docker's default profile (the
// copy embedded in the oci package) and containers/common's seccomp.json,
// each for Docker's default capabilities and for all capabilities, on every
// little-endian architecture a profile has an archMap entry or rules for.
func testProfiles(t testing.TB) []Profile {
	podman, err := os.ReadFile("testdata/containers-common-seccomp.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []Profile
	for _, src := range []struct {
		name string
		data []byte
	}{{"docker-default", oci.DefaultProfile}, {"containers-common", podman}} {
		for _, caps := range []struct {
			name string
			caps []string
		}{{"default-caps", DockerCaps}, {"all-caps", AllCaps}} {
			for _, arch := range []string{"x86_64", "aarch64", "mipsel64", "mipsel64n32", "ppc64le", "riscv64"} {
				out = append(out, Profile{
					Name: src.name + "/" + caps.name + "/" + arch,
					Data: src.data, Arch: arch, Caps: caps.caps,
				})
			}
		}
	}
	return out
}

func TestProfiles(t *testing.T) {
	w, err := NewWorker()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var profiles, rules, probes, defects, excluded, proven, ociProbes int
	for _, p := range testProfiles(t) {
		tp, err := Translate(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, opt := range []int{0, 2} {
			rs := clone(tp.RuleSet)
			rs.Name = p.Name
			if opt != 0 {
				rs.Calls = append([]Call{{Kind: CallSetOptimize, Level: opt}}, rs.Calls...)
				rs.Name += "/O2"
			}
			r := Compare(rs, w.Build, BuildOurs, BPFRunner, RefRunner)
			profiles++
			if r.Proof == "ok" {
				proven++
			}
			rules += r.Calls
			probes += r.Probes
			defects += r.LibDefects
			excluded += r.Excluded
			if r.LibFailure != nil {
				t.Errorf("%s: %v", rs.Name, r.LibFailure)
			}
			if r.LibExportFailed {
				t.Errorf("%s: libseccomp could not export the filter", rs.Name)
			}
			if r.Failed() {
				reportMinimal(t, rs, r)
			}
			if r.LibDefects > 0 {
				t.Logf("%s: %d probes decided by a stale-accumulator comparison in libseccomp's program, first %s", rs.Name, r.LibDefects, r.Defect)
			}
		}
		// The oci package's own filter for the profile must decide as
		// libseccomp does with runc's calls, except for the syscalls
		// libseccomp 2.5.4 does not know.
		ociProbes += compareOCI(t, p, tp, w)
		if len(tp.Dropped) > 0 {
			t.Logf("%s: names unknown to libseccomp 2.5.4 dropped: %v", p.Name, tp.Dropped)
		}
	}
	t.Logf("oci.NewFilter against libseccomp: %d probes", ociProbes)
	t.Logf("profiles: %d (with libseccomp -O1 and -O2), rules: %d, probes: %d, libseccomp defects: %d, excluded: %d, our programs proven: %d", profiles, rules, probes, defects, excluded, proven)
}

// compareOCI compares the program of oci.NewFilter for a profile with
// libseccomp's program for runc's calls, and returns the number of probes.
func compareOCI(t *testing.T, p Profile, tp *TranslatedProfile, w *Worker) int {
	t.Helper()
	f, err := oci.NewFilter(tp.Spec, tp.Options)
	if err != nil {
		t.Errorf("%s: oci.NewFilter: %v", p.Name, err)
		return 0
	}
	defer f.Release()
	prog, err := f.ExportBPFMem()
	if err != nil {
		t.Errorf("%s: oci filter export: %v", p.Name, err)
		return 0
	}
	lb, err := w.Build(tp.RuleSet)
	if err != nil {
		t.Errorf("%s: libseccomp: %v", p.Name, err)
		return 0
	}
	dropped := map[[2]int64]bool{}
	for _, name := range tp.Dropped {
		for _, an := range lb.Arches {
			a, err := ours.GetArchFromString(an)
			if err != nil {
				continue
			}
			if nr, err := ours.GetSyscallFromNameByArch(name, a); err == nil && nr >= 0 {
				dropped[[2]int64{int64(archInfos[an].token), int64(nr)}] = true
			}
		}
	}
	r := &Report{}
	CompareDecisions(tp.RuleSet, lb.Arches, lb.Prog, prog, BPFRunner, nil, func(d *Data) bool {
		return dropped[[2]int64{int64(d.Arch), int64(d.Nr)}]
	}, r)
	if r.Failed() {
		t.Errorf("%s: oci.NewFilter decides differently from libseccomp with runc's calls:", p.Name)
		for i, m := range r.Mismatches {
			if i == 5 {
				break
			}
			t.Errorf("    %s", m)
		}
	}
	return r.Probes
}
