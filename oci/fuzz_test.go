package oci

import (
	"testing"

	seccomp "github.com/seccomp-go/seccomp"
)

// FuzzParse feeds arbitrary bytes to the parser (and so to Lint), the
// resolver and the validator: whatever the input, they return an error or a profile, and
// never panic.
func FuzzParse(f *testing.F) {
	f.Add(DefaultProfile)
	f.Add([]byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS", "syscalls": [{"names": ["kill"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM"}]}`))
	f.Add([]byte(`{"ociVersion": "1.3.0", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "flags": []}}}`))
	f.Add([]byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["a"], "action": "SCMP_ACT_NOTIFY", "args": [{"index": 7, "op": "SCMP_CMP_EQ"}]}]}`))
	f.Add([]byte(`{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"name": "a", "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "4.8", "arches": ["s390x"], "caps": ["CAP_SYS_ADMIN"]}}]}`))
	f.Add([]byte("{\"default\\u0041ction\": \"SCMP_ACT_ALLOW\", \"DEFAULTACTION\": null,\n \"syscalls\": [{\"names\": [\"a\"], \"Action\": \"SCMP_ACT_LOG\", \"x\": {\"y\": [1, \"}\"]}}]}"))
	opts := Options{Arches: []seccomp.ScmpArch{seccomp.ArchMIPSEL64}, Caps: []string{"CAP_SYS_ADMIN"}, KernelVersion: "5.4", Warn: func(string) {}}
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, _, err := Parse(data, opts)
		if err != nil {
			return
		}
		_ = Validate(spec)
	})
}
