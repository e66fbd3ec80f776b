package difftest

import (
	"os"
	"testing"

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
	var profiles, rules, probes, defects, excluded, proven int
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
		if len(tp.Dropped) > 0 {
			t.Logf("%s: names unknown to libseccomp 2.5.4 dropped: %v", p.Name, tp.Dropped)
		}
	}
	t.Logf("profiles: %d (with libseccomp -O1 and -O2), rules: %d, probes: %d, libseccomp defects: %d, excluded: %d, our programs proven: %d", profiles, rules, probes, defects, excluded, proven)
}
