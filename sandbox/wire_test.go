package sandbox

import (
	"bytes"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

func TestConfigRoundTrip(t *testing.T) {
	tests := []config{
		{name: "sbx-0", path: "/bin/true", argv: []string{"true"}, env: []string{}},
		{noNewPrivs: true, name: "sbx-0123456789a", flags: 0x2c, program: []byte{1, 2, 3, 4, 5, 6, 7, 8}, path: "/bin/sh",
			argv: []string{"sh", "-c", "echo hi", ""}, env: []string{"A=1", "B="}},
	}
	for _, c := range tests {
		b := c.marshal()
		got, err := unmarshalConfig(b)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if len(got.program) == 0 && len(c.program) == 0 {
			got.program = c.program
		}
		if !reflect.DeepEqual(*got, c) {
			t.Errorf("round trip: got %+v, want %+v", *got, c)
		}
		// Every truncation is refused.
		for n := 0; n < len(b); n++ {
			if _, err := unmarshalConfig(b[:n]); err == nil {
				t.Errorf("%d of %d bytes accepted", n, len(b))
			}
		}
		if _, err := unmarshalConfig(append(b, 0)); err == nil || !strings.Contains(err.Error(), "after the end") {
			t.Errorf("trailing byte: %v", err)
		}
	}
	// A huge count is refused without allocating it.
	b := []byte(configMagic)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 0)
	b = appendBytes(b, nil)
	b = appendBytes(b, []byte("/bin/true"))
	b = order.AppendUint32(b, 1<<31)
	if _, err := unmarshalConfig(b); err == nil {
		t.Error("huge argv count accepted")
	}
	if _, err := unmarshalConfig([]byte("not a config")); err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("bad header: %v", err)
	}
	if err := (&config{path: "/bin/true", argv: []string{"a\x00"}}).check(); err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("NUL in argv: %v", err)
	}
}

// TestStrayMarker runs the test binary with a marker it did not get from
// a parent: the child part refuses it with status 125 and a message.
func TestStrayMarker(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, marker := range []string{"garbage", "1:1", "9:7", "1:77", wireVersion + ":77"} {
		cmd := exec.Command(self, "-test.run=^$")
		cmd.Env = []string{envMarker + "=" + marker}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != StatusSetupFailed {
			t.Errorf("marker %q: %v, want exit status %d", marker, err, StatusSetupFailed)
		}
		if !strings.Contains(stderr.String(), "sandbox: set up: ") {
			t.Errorf("marker %q: stderr %q", marker, stderr.String())
		}
	}
}
