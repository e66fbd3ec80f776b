package frequency_test

import (
	"fmt"
	"log"

	"github.com/seccomp-go/seccomp/frequency"
)

// A summary of strace -f -c for a process that ran 64-bit and 32-bit
// code: each table goes to the architecture of its personality, whose
// weights can then be given to a filter with SetArchSyscallWeights.
func ExampleParse() {
	summary := `% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
 60.00    0.000060           1        53           read
 40.00    0.000040           1        51           getpid
------ ----------- ----------- --------- --------- ----------------
100.00    0.000100           1       104           total
System call usage summary for 32 bit mode:
% time     seconds  usecs/call     calls    errors syscall
------ ----------- ----------- --------- --------- ----------------
100.00    0.000010           1         7           mmap2
------ ----------- ----------- --------- --------- ----------------
100.00    0.000010           1         7           total
`
	mix, err := frequency.Parse([]byte(summary))
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range mix.Sections {
		arch, _ := frequency.Arch("x86_64", s.Mode)
		for _, name := range s.Names() {
			fmt.Printf("%s %s %d\n", arch, name, s.Counts[name])
		}
	}
	// Output:
	// x86_64 read 53
	// x86_64 getpid 51
	// x86 mmap2 7
}
