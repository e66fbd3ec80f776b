package oci

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Field names each object of a profile may have, in any of the formats.
var (
	topFields      = []string{"defaultAction", "defaultErrnoRet", "defaultErrno", "architectures", "archMap", "flags", "listenerPath", "listenerMetadata", "syscalls"}
	archMapFields  = []string{"architecture", "subArchitectures"}
	syscallFields  = []string{"name", "names", "action", "args", "comment", "includes", "excludes", "errnoRet", "errno"}
	argFields      = []string{"index", "value", "valueTwo", "op"}
	selectorFields = []string{"caps", "arches", "minKernel"}
)

// unknownFields lists the fields of a profile that no format defines, and
// that decoding therefore ignores (as runc and Docker ignore them):
// usually misspellings. data must already have decoded as a profile.
func unknownFields(data []byte) []string {
	var out []string
	check := func(path string, raw json.RawMessage, known []string) map[string]json.RawMessage {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		var keys []string
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if !slices.ContainsFunc(known, func(f string) bool { return strings.EqualFold(f, k) }) {
				out = append(out, fmt.Sprintf("%s%q", path, k))
			}
		}
		return obj
	}
	// get finds a field the way encoding/json does: exact name first,
	// then any case.
	get := func(obj map[string]json.RawMessage, name string) json.RawMessage {
		if v, ok := obj[name]; ok {
			return v
		}
		for k, v := range obj {
			if strings.EqualFold(k, name) {
				return v
			}
		}
		return nil
	}
	list := func(raw json.RawMessage) []json.RawMessage {
		var l []json.RawMessage
		_ = json.Unmarshal(raw, &l)
		return l
	}

	top := check("", data, topFields)
	for i, m := range list(get(top, "archMap")) {
		check(fmt.Sprintf("archMap[%d].", i), m, archMapFields)
	}
	for i, s := range list(get(top, "syscalls")) {
		path := fmt.Sprintf("syscalls[%d].", i)
		obj := check(path, s, syscallFields)
		for j, a := range list(get(obj, "args")) {
			check(fmt.Sprintf("%sargs[%d].", path, j), a, argFields)
		}
		for _, sel := range []string{"includes", "excludes"} {
			if raw := get(obj, sel); raw != nil {
				check(path+sel+".", raw, selectorFields)
			}
		}
	}
	return out
}
