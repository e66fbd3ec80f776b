// Package oci compiles the seccomp profiles of the container world into
// filters of package seccomp, without cgo.
//
// Three formats are read, and told apart by [Parse]:
//
//   - runtime-spec's LinuxSeccomp (what runc loads), alone or inside a
//     whole config.json;
//   - Docker's (moby/profiles), whose syscall entries may apply only to
//     some architectures, capability sets or kernel versions, and whose
//     archMap picks the architectures;
//   - Podman's (containers/common), Docker's plus errno values given by
//     name.
//
// A Docker or Podman profile is first resolved, as Docker and Podman do,
// against a target architecture, a capability set and a kernel version
// ([Options]; by default this machine's), giving a LinuxSeccomp.
// [NewFilter] then builds the *seccomp.ScmpFilter runc would build for it,
// with runc's rules: KILL means KILL_THREAD, errnoRet defaults to EPERM,
// unknown syscall names are skipped (and reported through
// [Options.Warn]), rules with the default action are skipped, repeated
// comparisons of one argument are ORed, SPEC_ALLOW is on unless the
// profile lists its flags, and NOTIFY is refused as the default action
// and for write. Mistakes in a profile come back as [*FieldError]s naming
// the field, such as "syscalls[3].args[0].index: 7 is above 5".
//
// Profiles are bounded: at most [MaxProfileSize] bytes (read them with
// [ReadProfile]) and [MaxRules] rules. What runc accepts but probably
// does not mean is reported as a [Warning] to [Options.Warn] and
// [Options.OnWarning]: keys that encoding/json ignores, reads in another
// letter case or reads twice ([Lint] finds these on its own), unknown
// syscall names, and rules that an earlier rule with another action
// overrules.
//
// runc does not load libseccomp's program as it is: [Program] returns
// what runc loads, the filter's program behind runc's ENOSYS stub (so
// that syscalls newer than the profile fail with ENOSYS, not with the
// default action), and [Load] loads it with the filter's attributes.
//
// When the filter has SCMP_ACT_NOTIFY rules and the profile names a
// listenerPath, [Handoff] sends the notification descriptor of the loaded
// filter to the agent listening there, with runc's ContainerProcessState
// message.
//
// [InitSeccomp] does all of it in one call, as runc's InitSeccomp and
// PatchAndLoad do: build, ENOSYS stub, runc's flags, no_new_privs, load
// on the calling thread and hand-off to the agent. A runtime's init
// process, on the goroutine that will exec the container's process, does:
//
//	fd, err := oci.InitSeccomp(config.Linux.Seccomp, oci.InitOptions{
//		NoNewPrivs: config.Process.NoNewPrivileges,
//		State:      &state, // sent to listenerPath with the descriptor
//	})
//
// The separate steps, for a filter to inspect before loading it:
//
//	opts := oci.Options{NoNewPrivs: true}
//	spec, _, err := oci.Parse(data, opts)
//	filter, err := oci.NewFilter(spec, opts)
//	fd, err := oci.Load(filter, spec) // on the thread that will exec
//	if fd >= 0 {
//		err = oci.Handoff(spec, fd, os.Getpid(), state)
//	}
//
// [DefaultProfile] is Docker's default profile.
package oci
