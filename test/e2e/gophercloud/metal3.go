// Metal3's Ironic operations, as the baremetal-operator (BMO) sends them, through gophercloud's
// baremetal v1 client against an Ironic API (ironic-api itself, or an ironic-gateway) in front of
// the real Ironic 39.0 conductor. Built in GOPATH mode from Debian's /usr/share/gocode by
// test/integration/metal3-gophercloud.test.ts:
//
//	metal3 -endpoint URL -tag TAG -conductor-host HOST
//
// BMO (github.com/metal3-io/baremetal-operator, pkg/provisioner/ironic at 02aa5059e) uses
// gophercloud v2.13; the gophercloud installed here is Debian bookworm's 0.12, which has neither
// the microversion discovery helper nor the virtual media, firmware, inventory or servicing
// calls, nor the node fields of microversions after 1.52. Where 0.12 has the function BMO calls
// (nodes.Create, Get, List, Update, Validate, ChangeProvisionState, ChangePowerState, Delete,
// ports.List, ports.Create, drivers.ListDrivers) it is used, given a request body that is the one
// BMO's gophercloud v2.13 builds; the other calls go through the ServiceClient with its
// Microversion set, sending what v2.13's functions send (same method, path, query and body).
//
// Each step prints "step ok: NAME" or "step FAILED: NAME: why" and the program goes on with the
// next step (a step whose prerequisite failed fails too). The last line of stdout is the JSON
// list of the steps that passed; the exit status is 1 when any step failed. The node it created
// is deleted on the way out.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack/baremetal/noauth"
	"github.com/gophercloud/gophercloud/openstack/baremetal/v1/drivers"
	"github.com/gophercloud/gophercloud/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/openstack/baremetal/v1/ports"
)

var (
	endpoint      = flag.String("endpoint", "", "the Ironic API's base URL (without /v1)")
	tag           = flag.String("tag", "", "a unique tag for this run's resources")
	conductorHost = flag.String("conductor-host", "", "the conductor host the driver list must show")

	client *gophercloud.ServiceClient
	passed = []string{}
	failed = 0
	// the node of the run, set once it is created
	nodeUUID = ""
)

func fail(format string, a ...interface{}) {
	panic(fmt.Sprintf(format, a...))
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %s", what, describe(err))
	}
}

// step runs fn; a failure is printed and counted, and the next step runs.
func step(name string, fn func()) {
	ok := func() (ok bool) {
		defer func() {
			if r := recover(); r != nil {
				fmt.Printf("step FAILED: %s: %v\n", name, r)
				failed++
				ok = false
			}
		}()
		fn()
		return true
	}()
	if ok {
		passed = append(passed, name)
		fmt.Println("step ok:", name)
	}
}

func needNode() string {
	if nodeUUID == "" {
		fail("no node: its creation failed")
	}
	return nodeUUID
}

// httpError is what an answer outside the expected codes carries: its status and Ironic's faultstring.
func httpError(err error) (int, string, bool) {
	var e gophercloud.ErrUnexpectedResponseCode
	switch t := err.(type) {
	case gophercloud.ErrDefault400:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault401:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault403:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault404:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault405:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault408:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault409:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault429:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault500:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrDefault503:
		e = t.ErrUnexpectedResponseCode
	case gophercloud.ErrUnexpectedResponseCode:
		e = t
	default:
		return 0, "", false
	}
	return e.Actual, faultstring(e.Body), true
}

// faultstring reads Ironic's error body: {"error_message": "<JSON text with a faultstring>"}.
func faultstring(body []byte) string {
	var outer struct {
		ErrorMessage interface{} `json:"error_message"`
	}
	if json.Unmarshal(body, &outer) != nil {
		return string(body)
	}
	inner := map[string]interface{}{}
	switch m := outer.ErrorMessage.(type) {
	case string:
		if json.Unmarshal([]byte(m), &inner) != nil {
			return m
		}
	case map[string]interface{}:
		inner = m
	default:
		return string(body)
	}
	if s, ok := inner["faultstring"].(string); ok {
		return s
	}
	return string(body)
}

func describe(err error) string {
	if status, msg, ok := httpError(err); ok {
		return fmt.Sprintf("HTTP %d: %s", status, msg)
	}
	return err.Error()
}

// expectError checks that err is an HTTP answer with this status and faultstring.
func expectError(err error, status int, message string, what string) {
	if err == nil {
		fail("%s: succeeded; want HTTP %d %q", what, status, message)
	}
	got, msg, ok := httpError(err)
	if !ok {
		fail("%s: %v; want HTTP %d %q", what, err, status, message)
	}
	if got != status || msg != message {
		fail("%s: HTTP %d %q; want HTTP %d %q", what, got, msg, status, message)
	}
}

// atVersion runs fn with the client at another microversion, then restores BMO's.
func atVersion(v string, fn func()) {
	saved := client.Microversion
	client.Microversion = v
	defer func() { client.Microversion = saved }()
	fn()
}

// bmoNode: the fields of a node BMO reads (gophercloud v2.13's nodes.Node), including those of
// microversions 1.53–1.110 that 0.12's nodes.Node lacks.
type bmoNode struct {
	UUID                 string                 `json:"uuid"`
	Name                 string                 `json:"name"`
	PowerState           string                 `json:"power_state"`
	TargetPowerState     string                 `json:"target_power_state"`
	ProvisionState       string                 `json:"provision_state"`
	TargetProvisionState string                 `json:"target_provision_state"`
	LastError            string                 `json:"last_error"`
	Reservation          string                 `json:"reservation"`
	Maintenance          bool                   `json:"maintenance"`
	Fault                string                 `json:"fault"`
	Driver               string                 `json:"driver"`
	DriverInfo           map[string]interface{} `json:"driver_info"`
	Properties           map[string]interface{} `json:"properties"`
	BIOSInterface        string                 `json:"bios_interface"`
	BootInterface        string                 `json:"boot_interface"`
	DeployInterface      string                 `json:"deploy_interface"`
	FirmwareInterface    string                 `json:"firmware_interface"`
	InspectInterface     string                 `json:"inspect_interface"`
	RAIDInterface        string                 `json:"raid_interface"`
	VendorInterface      string                 `json:"vendor_interface"`
	DisablePowerOff      bool                   `json:"disable_power_off"`
	Health               *string                `json:"health"`
	ServiceStep          map[string]interface{} `json:"service_step"`
}

// getNode: BMO's nodes.Get, read as a map (to see which keys are there) and as bmoNode.
func getNode(ident string) (*bmoNode, map[string]interface{}, error) {
	r := nodes.Get(client, ident)
	if r.Err != nil {
		return nil, nil, r.Err
	}
	var n bmoNode
	if err := r.ExtractInto(&n); err != nil {
		return nil, nil, err
	}
	return &n, bodyMap(r.Body), nil
}

// bodyMap: a JSON object answer as a map, to see which keys it has (0.12's ExtractInto takes
// only structs).
func bodyMap(body interface{}) map[string]interface{} {
	m, ok := body.(map[string]interface{})
	if !ok {
		fail("the answer is not a JSON object: %v", body)
	}
	return m
}

// waitFor polls the node until check holds, for at most two minutes.
func waitFor(uuid string, what string, check func(n *bmoNode) bool) *bmoNode {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, _, err := getNode(uuid)
		must(err, "get while waiting for "+what)
		if check(n) {
			return n
		}
		if time.Now().After(deadline) {
			fail("node %s never reached %s: provision %q target %q power %q reservation %q error %q", uuid, what, n.ProvisionState, n.TargetProvisionState, n.PowerState, n.Reservation, n.LastError)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func settled(n *bmoNode) bool { return n.TargetProvisionState == "" && n.Reservation == "" }

// provisionOpts: a ProvisionStateOptsBuilder with the body gophercloud v2.13's ProvisionStateOpts
// builds for BMO (target, and service_steps of {interface, step[, args]}); 0.12's lacks service_steps.
type provisionOpts struct {
	Target       string
	ServiceSteps []map[string]interface{}
}

func (o provisionOpts) ToProvisionStateMap() (map[string]interface{}, error) {
	body := map[string]interface{}{"target": o.Target}
	if len(o.ServiceSteps) > 0 {
		body["service_steps"] = o.ServiceSteps
	}
	return body, nil
}

func provision(uuid string, o provisionOpts, want string) *bmoNode {
	must(nodes.ChangeProvisionState(client, uuid, o).ExtractErr(), "provision "+o.Target)
	check := settled
	if strings.HasSuffix(want, " wait") {
		// a wait state keeps its target (service wait: active)
		check = func(n *bmoNode) bool {
			return n.Reservation == "" && (n.ProvisionState == want || n.TargetProvisionState == "")
		}
	}
	n := waitFor(uuid, want, check)
	if n.ProvisionState != want {
		fail("after %s the node is %q, not %q (last error %q)", o.Target, n.ProvisionState, want, n.LastError)
	}
	return n
}

func power(uuid string, target string, want string) {
	must(nodes.ChangePowerState(client, uuid, nodes.PowerStateOpts{Target: nodes.TargetPowerState(target)}).ExtractErr(), "power "+target)
	n := waitFor(uuid, target, func(n *bmoNode) bool { return n.TargetPowerState == "" && n.Reservation == "" })
	if n.PowerState != want {
		fail("power state %q after %s, not %q (last error %q)", n.PowerState, target, want, n.LastError)
	}
}

// createOpts: a CreateOptsBuilder with the body BMO's enrollNode builds (register.go: gophercloud
// v2.13's CreateOpts, whose disable_power_off is a *bool, so false is sent too), for fake-hardware
// with the interfaces the stack's conductor enables where BMO names one (BMO's ipmi driver leaves
// management, power and vendor to the hardware type's defaults, and omits empty strings).
type createOpts struct{ name string }

func (o createOpts) ToNodeCreateMap() (map[string]interface{}, error) {
	return map[string]interface{}{
		"driver":             "fake-hardware",
		"bios_interface":     "fake",
		"boot_interface":     "fake",
		"name":               o.name,
		"driver_info":        map[string]interface{}{"deploy_kernel": "http://127.0.0.1:6180/images/ironic-python-agent.kernel", "deploy_ramdisk": "http://127.0.0.1:6180/images/ironic-python-agent.initramfs"},
		"firmware_interface": "no-firmware",
		"deploy_interface":   "fake",
		"inspect_interface":  "fake",
		"raid_interface":     "no-raid",
		"disable_power_off":  false,
		"properties": map[string]interface{}{
			"capabilities": "boot_mode:uefi",
			"cpu_arch":     "x86_64",
		},
	}, nil
}

// raw sends a request BMO's gophercloud v2.13 has a function for and 0.12 has not: the same
// method, URL and body, at the client's microversion.
func raw(method, url string, body interface{}, response interface{}, ok ...int) error {
	opts := &gophercloud.RequestOpts{OkCodes: ok, MoreHeaders: map[string]string{}}
	var err error
	switch method {
	case "GET":
		_, err = client.Get(url, response, opts)
	case "POST":
		_, err = client.Post(url, body, response, opts)
	case "DELETE":
		_, err = client.Delete(url, opts)
	default:
		fail("unsupported method %s", method)
	}
	return err
}

func cleanup() {
	if nodeUUID == "" {
		return
	}
	client.Microversion = "1.110"
	n, _, err := getNode(nodeUUID)
	if err != nil {
		return
	}
	// a node left active or in service wait is brought back to available, then deleted
	if n.DisablePowerOff {
		_ = nodes.Update(client, nodeUUID, nodes.UpdateOpts{nodes.UpdateOperation{Op: nodes.AddOp, Path: "/disable_power_off", Value: false}}).Err
	}
	if n.ProvisionState == "active" || n.ProvisionState == "service wait" {
		_ = nodes.ChangeProvisionState(client, nodeUUID, provisionOpts{Target: "deleted"}).ExtractErr()
		waitForQuiet(nodeUUID)
	}
	if err := nodes.Delete(client, nodeUUID).ExtractErr(); err != nil {
		if _, gone := err.(gophercloud.ErrDefault404); !gone {
			fmt.Fprintf(os.Stderr, "cleanup of node %s: %s\n", nodeUUID, describe(err))
		}
	}
}

func waitForQuiet(uuid string) {
	for i := 0; i < 300; i++ {
		n, _, err := getNode(uuid)
		if err != nil || settled(n) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func main() {
	flag.Parse()
	if *endpoint == "" || *tag == "" || *conductorHost == "" {
		fmt.Fprintln(os.Stderr, "usage: metal3 -endpoint URL -tag TAG -conductor-host HOST")
		os.Exit(2)
	}
	var err error
	// BMO's IRONIC_ENDPOINT is the versioned endpoint, http://…:6385/v1/
	client, err = noauth.NewBareMetalNoAuth(noauth.EndpointOpts{IronicEndpoint: *endpoint + "/v1/"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(2)
	}
	// clients.IronicClient: BMO's baseline until the features are known
	client.Microversion = "1.89"
	run()
	cleanup()
	out, _ := json.Marshal(passed)
	fmt.Println(string(out))
	if failed > 0 {
		os.Exit(1)
	}
}

// chooseMicroversion is BMO's AvailableFeatures.ChooseMicroversion (clients/features.go).
func chooseMicroversion(maxMinor int) string {
	switch {
	case maxMinor >= 110:
		return "1.110"
	case maxMinor >= 109:
		return "1.109"
	case maxMinor >= 95:
		return "1.95"
	case maxMinor >= 93:
		return "1.93"
	}
	return "1.89"
}

func run() {
	name := "metal3-go-" + *tag
	mac := fmt.Sprintf("52:54:%s:%s:%s:9e", (*tag)[0:2], (*tag)[2:4], (*tag)[4:6])
	vmediaURL := func(uuid string) string { return client.ServiceURL("nodes", uuid, "vmedia") }

	// clients.GetAvailableFeatures: gophercloud v2.13's utils.GetSupportedMicroversions GETs the
	// endpoint itself through the ProviderClient (no microversion header) and reads its "version"
	// object; BMO refuses a maximum below 1.89 and picks the microversion of its newest feature
	step("negotiate: GET /v1/ announces 1.115, BMO picks 1.110", func() {
		var doc struct {
			ID      string `json:"id"`
			Version *struct {
				ID         string `json:"id"`
				Status     string `json:"status"`
				Version    string `json:"version"`
				MinVersion string `json:"min_version"`
			} `json:"version"`
		}
		_, err := client.ProviderClient.Request("GET", client.Endpoint, &gophercloud.RequestOpts{JSONResponse: &doc, OkCodes: []int{200, 300}})
		must(err, "GET "+client.Endpoint)
		if doc.Version == nil || doc.Version.ID != "v1" || doc.Version.Status != "CURRENT" || doc.Version.MinVersion != "1.1" {
			fail("the version document: %+v", doc.Version)
		}
		parts := strings.Split(doc.Version.Version, ".")
		if len(parts) != 2 || parts[0] != "1" {
			fail("maximum version %q", doc.Version.Version)
		}
		maxMinor, err := strconv.Atoi(parts[1])
		must(err, "maximum version")
		if maxMinor < 89 {
			fail("ironic API 1.89 or newer is required, got 1.%d", maxMinor)
		}
		if doc.Version.Version != "1.115" {
			fail("maximum version %s, not 1.115", doc.Version.Version)
		}
		client.Microversion = chooseMicroversion(maxMinor)
		if client.Microversion != "1.110" {
			fail("chose %s", client.Microversion)
		}
	})

	// checkIronicConductor (factory.go): the driver list, not detailed, must not be empty
	step("drivers", func() {
		pages, err := drivers.ListDrivers(client, drivers.ListDriversOpts{}).AllPages()
		must(err, "list drivers")
		list, err := drivers.ExtractDrivers(pages)
		must(err, "extract drivers")
		for _, d := range list {
			if d.Name == "fake-hardware" {
				for _, h := range d.Hosts {
					if h == *conductorHost {
						return
					}
				}
				fail("fake-hardware hosts %v lack %s", d.Hosts, *conductorHost)
			}
		}
		fail("no fake-hardware driver in %v", list)
	})

	// findExistingHost: by name first (404 for a new host), then enrollNode
	step("node create with BMO's body (disable_power_off false sent), 1.110 fields shown", func() {
		_, _, err := getNode(name)
		expectError(err, 404, fmt.Sprintf("Node %s could not be found.", name), "the host before enrolment")
		r := nodes.Create(client, createOpts{name: name})
		must(r.Err, "create node")
		var n bmoNode
		must(r.ExtractInto(&n), "read the created node")
		nodeUUID = n.UUID
		created := bodyMap(r.Body)
		if n.ProvisionState != "enroll" || n.Name != name || n.DisablePowerOff || n.FirmwareInterface != "no-firmware" ||
			n.BIOSInterface != "fake" || n.RAIDInterface != "no-raid" || n.VendorInterface != "fake" ||
			n.Properties["cpu_arch"] != "x86_64" || n.Properties["capabilities"] != "boot_mode:uefi" {
			fail("created node: %+v", n)
		}
		// fields of 1.95 (disable_power_off) and 1.109 (health) in the answer at 1.110
		for _, k := range []string{"disable_power_off", "health", "firmware_interface", "service_step", "parent_node", "instance_name"} {
			if _, ok := created[k]; !ok {
				fail("the created node lacks %q at 1.110", k)
			}
		}
	})

	if nodeUUID == "" {
		// so that the later steps still say what they find, on a node made with a body any
		// Ironic API takes; the run fails anyway, its create step having failed
		fmt.Println("note: the later steps use a node created with {driver, name} only")
		n, err := nodes.Create(client, nodes.CreateOpts{Driver: "fake-hardware", Name: name}).Extract()
		if err == nil {
			nodeUUID = n.UUID
		} else {
			fmt.Println("note: that creation failed too:", describe(err))
		}
	}

	step("node get by uuid and by name", func() {
		uuid := needNode()
		n, _, err := getNode(uuid)
		must(err, "get by uuid")
		byName, _, err := getNode(name)
		must(err, "get by name")
		if n.UUID != uuid || byName.UUID != uuid || byName.Name != name {
			fail("get by uuid %s, by name %s; want %s", n.UUID, byName.UUID, uuid)
		}
	})

	// loadBusyHosts (ironic.go): the fields are one comma-joined value, which gophercloud encodes
	step("node list ?fields=uuid,name,provision_state,boot_interface", func() {
		uuid := needNode()
		pages, err := nodes.List(client, nodes.ListOpts{Fields: []string{"uuid,name,provision_state,boot_interface"}}).AllPages()
		must(err, "list nodes with fields")
		var body struct {
			Nodes []map[string]interface{} `json:"nodes"`
		}
		must(pages.(nodes.NodePage).ExtractInto(&body), "read the node list")
		for _, n := range body.Nodes {
			if n["uuid"] == uuid {
				if n["name"] != name || n["provision_state"] != "enroll" || n["boot_interface"] != "fake" {
					fail("listed node: %v", n)
				}
				for _, k := range []string{"driver", "power_state", "disable_power_off", "health"} {
					if _, ok := n[k]; ok {
						fail("the list with fields shows %q: %v", k, n)
					}
				}
				return
			}
		}
		fail("node %s not in the list of %d nodes", uuid, len(body.Nodes))
	})

	// getPorts (fields node_uuid,uuid,address; by address, by node) and createNodePort (pxe_enabled)
	step("ports: list by address with fields, create with pxe_enabled, list by node", func() {
		uuid := needNode()
		// v2.13's ports.ListOpts joins its fields with commas (format:"comma-separated"), BMO
		// giving three; 0.12 would repeat the parameter, so the joined value is given as one
		fields := []string{"node_uuid,uuid,address"}
		list := func(opts ports.ListOpts) []map[string]interface{} {
			pages, err := ports.List(client, opts).AllPages()
			must(err, "list ports")
			var body struct {
				Ports []map[string]interface{} `json:"ports"`
			}
			must(pages.(ports.PortPage).ExtractInto(&body), "read the port list")
			return body.Ports
		}
		if got := list(ports.ListOpts{Fields: fields, Address: mac}); len(got) != 0 {
			fail("ports with address %s before creation: %v", mac, got)
		}
		pxe := true
		p, err := ports.Create(client, ports.CreateOpts{NodeUUID: uuid, Address: mac, PXEEnabled: &pxe}).Extract()
		must(err, "create port")
		for _, got := range [][]map[string]interface{}{list(ports.ListOpts{Fields: fields, Address: mac}), list(ports.ListOpts{Fields: fields, NodeUUID: uuid})} {
			if len(got) != 1 || got[0]["uuid"] != p.UUID || got[0]["node_uuid"] != uuid || got[0]["address"] != mac {
				fail("ports: %v", got)
			}
			if _, ok := got[0]["pxe_enabled"]; ok {
				fail("the port list with fields shows pxe_enabled: %v", got[0])
			}
		}
	})

	step("validate", func() {
		v, err := nodes.Validate(client, needNode()).Extract()
		must(err, "validate")
		// BMO's validateNode reads boot and deploy
		if !v.Boot.Result || !v.Deploy.Result || !v.Power.Result || !v.Management.Result {
			fail("validation: %+v", v)
		}
	})

	step("manage and provide", func() {
		uuid := needNode()
		provision(uuid, provisionOpts{Target: "manage"}, "manageable")
		provision(uuid, provisionOpts{Target: "provide"}, "available")
	})

	step("power on, off", func() {
		uuid := needNode()
		power(uuid, "power on", "power on")
		power(uuid, "power off", "power off")
		power(uuid, "power on", "power on")
	})

	// 1.95: PATCH /disable_power_off (BMO's updater: op add), then BMO powers such a node with
	// "rebooting" instead of "power off"; ironic-api refuses power off itself (409)
	step("disable_power_off (1.95): set, power off refused, rebooting accepted, unset", func() {
		uuid := needNode()
		r := nodes.Update(client, uuid, nodes.UpdateOpts{nodes.UpdateOperation{Op: nodes.AddOp, Path: "/disable_power_off", Value: true}})
		must(r.Err, "set disable_power_off")
		var n bmoNode
		must(r.ExtractInto(&n), "read the patched node")
		if !n.DisablePowerOff {
			fail("disable_power_off after the PATCH: %v", n.DisablePowerOff)
		}
		err := nodes.ChangePowerState(client, uuid, nodes.PowerStateOpts{Target: nodes.PowerOff}).ExtractErr()
		expectError(err, 409, "Failed to set node power state to power off.", "power off with disable_power_off")
		err = nodes.ChangePowerState(client, uuid, nodes.PowerStateOpts{Target: nodes.TargetPowerState("soft power off")}).ExtractErr()
		expectError(err, 409, "Failed to set node power state to soft power off.", "soft power off with disable_power_off")
		power(uuid, "rebooting", "power on")
		r = nodes.Update(client, uuid, nodes.UpdateOpts{nodes.UpdateOperation{Op: nodes.AddOp, Path: "/disable_power_off", Value: false}})
		must(r.Err, "unset disable_power_off")
		must(r.ExtractInto(&n), "read the patched node")
		if n.DisablePowerOff {
			fail("disable_power_off after the second PATCH: %v", n.DisablePowerOff)
		}
		power(uuid, "power off", "power off")
	})

	// 1.89: AttachDataImage, gophercloud v2.13's AttachVirtualMedia: POST {device_type, image_url}
	// (image_download_source omitted), 204; asynchronous: fake-hardware cannot publish an image,
	// which only shows in last_error
	step("virtual media attach (1.89): 204, then the conductor's error in last_error", func() {
		uuid := needNode()
		body := map[string]interface{}{"device_type": "cdrom", "image_url": "http://127.0.0.1:6180/metal3-" + *tag + ".iso"}
		must(raw("POST", vmediaURL(uuid), body, nil, 204), "attach virtual media")
		n := waitFor(uuid, "the attachment's end", func(n *bmoNode) bool { return n.Reservation == "" && n.LastError != "" })
		if !strings.HasPrefix(n.LastError, "Could not attach device cdrom to node "+uuid) {
			fail("last_error after the attachment: %q", n.LastError)
		}
		// below 1.89 there is no such route
		atVersion("1.88", func() {
			err := raw("POST", vmediaURL(uuid), body, nil, 204)
			if status, _, ok := httpError(err); !ok || status != 404 {
				fail("attach at 1.88: %v; want a 404", err)
			}
		})
	})

	// 1.93: GetDataImageStatus: GET the node (busy when reserved), then GET vmedia, decoded as a
	// list; fake-hardware's management interface cannot list virtual media: 400
	step("virtual media get (1.93): 400 on fake-hardware, 404 below 1.93", func() {
		uuid := needNode()
		n, _, err := getNode(uuid)
		must(err, "get node")
		if n.Reservation != "" {
			fail("node busy: %s", n.Reservation)
		}
		var list []map[string]interface{}
		err = raw("GET", vmediaURL(uuid), nil, &list, 200)
		expectError(err, 400, "Driver fake-hardware does not support get_virtual_media (disabled or not implemented).", "get virtual media")
		atVersion("1.92", func() {
			err := raw("GET", vmediaURL(uuid), nil, &list, 200)
			if status, _, ok := httpError(err); !ok || status != 404 {
				fail("get virtual media at 1.92: %v; want a 404", err)
			}
		})
	})

	// DetachDataImage: gophercloud v2.13's DetachVirtualMedia: DELETE ?device_types=cdrom, 204
	step("virtual media detach ?device_types=cdrom: 204", func() {
		uuid := needNode()
		must(raw("DELETE", vmediaURL(uuid)+"?device_types=cdrom", nil, nil, 204), "detach virtual media")
		waitFor(uuid, "the detachment's end", func(n *bmoNode) bool { return n.Reservation == "" })
		err := raw("DELETE", vmediaURL(uuid)+"?device_types=cdrom,bogus", nil, nil, 204)
		expectError(err, 400, "Invalid device type(s) bogus (valid are disk, cdrom, floppy)", "detach an unknown device type")
	})

	// 1.109: GetHealth reads node.health; fake-hardware reports none
	step("health (1.109): null on fake-hardware, absent at 1.108", func() {
		uuid := needNode()
		_, m, err := getNode(uuid)
		must(err, "get node")
		h, ok := m["health"]
		if !ok || h != nil {
			fail("health at 1.110: %v (present %v)", h, ok)
		}
		atVersion("1.108", func() {
			_, m, err := getNode(uuid)
			must(err, "get node at 1.108")
			if _, ok := m["health"]; ok {
				fail("health shown at 1.108")
			}
		})
	})

	// GetFirmwareComponents: gophercloud v2.13's ListFirmware: GET /firmware, {"firmware": [...]}
	step("firmware components (1.86): an empty list", func() {
		var body map[string]interface{}
		must(raw("GET", client.ServiceURL("nodes", needNode(), "firmware"), nil, &body, 200), "list firmware")
		list, ok := body["firmware"].([]interface{})
		if !ok || len(list) != 0 || len(body) != 1 {
			fail("firmware: %v", body)
		}
	})

	// inspecthardware.go: gophercloud v2.13's GetInventory: GET /inventory; none was stored.
	// With [inventory]data_backend=database the message names the node's database id (39.0's
	// inspect_utils.get_inspection_data, as 21.4), which the API does not show
	step("inventory (1.81): 404 without inspection data", func() {
		uuid := needNode()
		var body map[string]interface{}
		err := raw("GET", client.ServiceURL("nodes", uuid, "inventory"), nil, &body, 200)
		status, msg, ok := httpError(err)
		if !ok || status != 404 || !regexp.MustCompile(`^Node inventory record for node \d+ could not be found\.$`).MatchString(msg) {
			fail("get inventory: %v; want a 404 naming the node's database id", err)
		}
	})

	step("deploy to active", func() {
		provision(needNode(), provisionOpts{Target: "active"}, "active")
	})

	// 1.110 lets BMO abort a node in "wait call-back" (forced deletion); fake-hardware's fake
	// deploy interface never waits there (its deploy step returns at once, and the reserved
	// "wait" step is dropped from user deploy steps by the 39.0 conductor), so what is checked is
	// the abort of a node in no wait state: refused as a transition the state machine lacks
	step("abort (1.110) of an active node: 400", func() {
		uuid := needNode()
		err := nodes.ChangeProvisionState(client, uuid, provisionOpts{Target: "abort"}).ExtractErr()
		expectError(err, 400, fmt.Sprintf("The requested action \"abort\" can not be performed on node \"%s\" while it is in state \"active\".", uuid), "abort an active node")
	})

	// servicing.go: the service verb (1.87) with service_steps of {interface, step}, then
	// abortServicing in service wait, BMO's other abort. fake-hardware's fake vendor interface has
	// a service step that leaves the node in service wait; it is not abortable, so the conductor
	// accepts the abort (202) and only marks the step abort_after, the node staying in service
	// wait (39.0's manager._do_abort); unprovisioning takes it from there (next step)
	step("service (1.87) to service wait, abort accepted: abort_after on a step that is not abortable", func() {
		uuid := needNode()
		steps := []map[string]interface{}{{"interface": "vendor", "step": "trigger_servicewait"}}
		n := provision(uuid, provisionOpts{Target: "service", ServiceSteps: steps}, "service wait")
		if n.TargetProvisionState != "active" || n.ServiceStep["step"] != "trigger_servicewait" || n.ServiceStep["abortable"] != false {
			fail("in service wait: target %q, service step %v", n.TargetProvisionState, n.ServiceStep)
		}
		must(nodes.ChangeProvisionState(client, uuid, provisionOpts{Target: "abort"}).ExtractErr(), "abort in service wait")
		n = waitFor(uuid, "abort_after", func(n *bmoNode) bool { return n.Reservation == "" && n.ServiceStep["abort_after"] == true })
		if n.ProvisionState != "service wait" || n.TargetProvisionState != "active" {
			fail("after the abort: %q → %q", n.ProvisionState, n.TargetProvisionState)
		}
	})

	step("undeploy (from service wait), delete", func() {
		uuid := needNode()
		provision(uuid, provisionOpts{Target: "deleted"}, "available")
		must(nodes.Delete(client, uuid).ExtractErr(), "delete node")
		_, _, err := getNode(uuid)
		expectError(err, 404, fmt.Sprintf("Node %s could not be found.", uuid), "the deleted node")
		nodeUUID = ""
	})
}
