// The node lifecycle through gophercloud's baremetal v1 client (Debian's
// golang-github-gophercloud-gophercloud-dev), unmodified, against an ironic-gateway. Built in
// GOPATH mode from Debian's /usr/share/gocode by test/e2e/gophercloud.test.ts:
//
//	lifecycle -endpoint URL [-token JWT] [-cacert CA.pem] -tag TAG -conductor-host HOST
//
// With -cacert (an https:// endpoint) the gateway's certificate is verified against that CA
// only: the client's http.Client gets a custom root pool, as a deployment with a private CA does.
//
// Each step checks what it got; on success the last line of stdout is the JSON list of the
// steps that ran, so the caller can tell that none was left out. Nodes it created are deleted
// on the way out, also after a failure.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack/baremetal/noauth"
	"github.com/gophercloud/gophercloud/openstack/baremetal/v1/drivers"
	"github.com/gophercloud/gophercloud/openstack/baremetal/v1/nodes"
	"github.com/gophercloud/gophercloud/openstack/baremetal/v1/ports"
	"github.com/gophercloud/gophercloud/pagination"
)

var (
	endpoint      = flag.String("endpoint", "", "the gateway's base URL")
	token         = flag.String("token", "", "a JWT sent as X-Auth-Token")
	cacert        = flag.String("cacert", "", "PEM CA certificates that verify an https:// endpoint")
	tag           = flag.String("tag", "", "a unique tag for this run's resources")
	conductorHost = flag.String("conductor-host", "", "the conductor host the driver list must show")

	client  *gophercloud.ServiceClient
	steps   = []string{}
	created = []string{}
)

func fail(format string, a ...interface{}) {
	panic(fmt.Sprintf(format, a...))
}

func must(err error, what string) {
	if err != nil {
		fail("%s: %v", what, err)
	}
}

func step(name string, fn func()) {
	fn()
	steps = append(steps, name)
	fmt.Println("step ok:", name)
}

// waitFor polls the node until check holds, for at most two minutes.
func waitFor(uuid string, what string, check func(n *nodes.Node) bool) *nodes.Node {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := nodes.Get(client, uuid).Extract()
		must(err, "get while waiting for "+what)
		if check(n) {
			return n
		}
		if time.Now().After(deadline) {
			fail("node %s never reached %s: provision %q target %q power %q error %q", uuid, what, n.ProvisionState, n.TargetProvisionState, n.PowerState, n.LastError)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func provision(uuid string, target nodes.TargetProvisionState, want string) {
	must(nodes.ChangeProvisionState(client, uuid, nodes.ProvisionStateOpts{Target: target}).ExtractErr(), "provision "+string(target))
	n := waitFor(uuid, want, func(n *nodes.Node) bool { return n.TargetProvisionState == "" && n.Reservation == "" && n.ProvisionState != "" })
	if n.ProvisionState != want {
		fail("after %s the node is %q, not %q (last error %q)", target, n.ProvisionState, want, n.LastError)
	}
}

func power(uuid string, target nodes.TargetPowerState) {
	must(nodes.ChangePowerState(client, uuid, nodes.PowerStateOpts{Target: target}).ExtractErr(), "power "+string(target))
	n := waitFor(uuid, string(target), func(n *nodes.Node) bool { return n.TargetPowerState == "" && n.Reservation == "" })
	if n.PowerState != string(target) {
		fail("power state %q after %s", n.PowerState, target)
	}
}

func cleanup() {
	for _, uuid := range created {
		if err := nodes.Delete(client, uuid).ExtractErr(); err != nil {
			if _, gone := err.(gophercloud.ErrDefault404); !gone {
				fmt.Fprintf(os.Stderr, "cleanup of node %s: %v\n", uuid, err)
			}
		}
	}
}

func main() {
	flag.Parse()
	if *endpoint == "" || *tag == "" || *conductorHost == "" {
		fmt.Fprintln(os.Stderr, "usage: lifecycle -endpoint URL [-token JWT] [-cacert CA.pem] -tag TAG -conductor-host HOST")
		os.Exit(2)
	}
	var err error
	client, err = noauth.NewBareMetalNoAuth(noauth.EndpointOpts{IronicEndpoint: *endpoint + "/v1/"})
	must(err, "client")
	if *token != "" {
		client.ProviderClient.SetToken(*token)
	}
	if *cacert != "" {
		pem, err := os.ReadFile(*cacert)
		must(err, "read -cacert")
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail("no certificate in %s", *cacert)
		}
		client.ProviderClient.HTTPClient = http.Client{
			Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}},
		}
	}
	client.Microversion = "1.38"
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(os.Stderr, "FAILED:", r)
			cleanup()
			os.Exit(1)
		}
		cleanup()
	}()
	run()
	out, _ := json.Marshal(steps)
	fmt.Println(string(out))
}

func run() {
	rc := "e2e-go-" + *tag
	var uuids []string

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

	step("node create (enroll), get by uuid and by name", func() {
		for i := 0; i < 3; i++ {
			n, err := nodes.Create(client, nodes.CreateOpts{
				Driver:        "fake-hardware",
				Name:          fmt.Sprintf("%s-%d", rc, i),
				ResourceClass: rc,
				Properties:    map[string]interface{}{"cpus": 4, "memory_mb": 8192},
			}).Extract()
			must(err, "create node")
			created = append(created, n.UUID)
			uuids = append(uuids, n.UUID)
			if n.ProvisionState != "enroll" || n.Driver != "fake-hardware" || n.ResourceClass != rc {
				fail("created node: %+v", n)
			}
		}
		byName, err := nodes.Get(client, rc+"-0").Extract()
		must(err, "get by name")
		if byName.UUID != uuids[0] {
			fail("get by name gave %s, not %s", byName.UUID, uuids[0])
		}
		_, err = nodes.Get(client, "e2e-go-no-such-node-"+*tag).Extract()
		if _, ok := err.(gophercloud.ErrDefault404); !ok {
			fail("a missing node: want a 404, got %v", err)
		}
	})

	step("node list and detail, filtered, limited", func() {
		pages, err := nodes.List(client, nodes.ListOpts{ResourceClass: rc}).AllPages()
		must(err, "list nodes")
		list, err := nodes.ExtractNodes(pages)
		must(err, "extract nodes")
		seen := []string{}
		for _, n := range list {
			seen = append(seen, n.UUID)
		}
		want := append([]string{}, uuids...)
		sort.Strings(want)
		sort.Strings(seen)
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			fail("list by resource class: %v; want %v", seen, want)
		}
		// This gophercloud looks for the next page under "nodes_links", which Ironic has never
		// sent (it sends "next"), so it reads one page: check the limit on that page.
		first := 0
		err = nodes.List(client, nodes.ListOpts{ResourceClass: rc, Limit: 2}).EachPage(func(p pagination.Page) (bool, error) {
			l, err := nodes.ExtractNodes(p)
			first = len(l)
			return false, err
		})
		must(err, "list nodes, limit 2")
		if first != 2 {
			fail("first page with limit 2 has %d nodes", first)
		}
		pages, err = nodes.ListDetail(client, nodes.ListOpts{ResourceClass: rc}).AllPages()
		must(err, "list node details")
		detail, err := nodes.ExtractNodes(pages)
		must(err, "extract node details")
		if len(detail) != 3 || detail[0].Properties["memory_mb"] != float64(8192) {
			fail("node details: %+v", detail)
		}
	})

	step("node update (JSON patch)", func() {
		n, err := nodes.Update(client, uuids[0], nodes.UpdateOpts{
			nodes.UpdateOperation{Op: nodes.AddOp, Path: "/extra/by", Value: "gophercloud"},
			nodes.UpdateOperation{Op: nodes.ReplaceOp, Path: "/properties/cpus", Value: 8},
		}).Extract()
		must(err, "update node")
		if n.Extra["by"] != "gophercloud" || n.Properties["cpus"] != float64(8) {
			fail("updated node: extra %v properties %v", n.Extra, n.Properties)
		}
	})

	step("validate", func() {
		v, err := nodes.Validate(client, uuids[0]).Extract()
		must(err, "validate")
		if !v.Power.Result || !v.Management.Result || !v.Deploy.Result {
			fail("validation: %+v", v)
		}
	})

	step("manage and provide", func() {
		provision(uuids[0], nodes.TargetManage, "manageable")
		provision(uuids[0], nodes.TargetProvide, "available")
	})

	step("power on / off", func() {
		power(uuids[0], nodes.PowerOn)
		power(uuids[0], nodes.PowerOff)
	})

	step("boot device", func() {
		must(nodes.SetBootDevice(client, uuids[0], nodes.BootDeviceOpts{BootDevice: "pxe", Persistent: true}).ExtractErr(), "set boot device")
		bd, err := nodes.GetBootDevice(client, uuids[0]).Extract()
		must(err, "get boot device")
		if bd.BootDevice != "pxe" {
			fail("boot device %+v", bd)
		}
		supported, err := nodes.GetSupportedBootDevices(client, uuids[0]).Extract()
		must(err, "supported boot devices")
		if len(supported) == 0 {
			fail("no supported boot device")
		}
	})

	step("port create, list by node, get, delete", func() {
		mac := fmt.Sprintf("52:56:%s:%s:%s:01", (*tag)[0:2], (*tag)[2:4], (*tag)[4:6])
		p, err := ports.Create(client, ports.CreateOpts{NodeUUID: uuids[0], Address: mac}).Extract()
		must(err, "create port")
		pages, err := ports.List(client, ports.ListOpts{Node: uuids[0]}).AllPages()
		must(err, "list ports")
		list, err := ports.ExtractPorts(pages)
		must(err, "extract ports")
		if len(list) != 1 || list[0].UUID != p.UUID || list[0].Address != mac {
			fail("ports of the node: %+v", list)
		}
		got, err := ports.Get(client, p.UUID).Extract()
		must(err, "get port")
		if got.NodeUUID != uuids[0] {
			fail("port's node %s", got.NodeUUID)
		}
		must(ports.Delete(client, p.UUID).ExtractErr(), "delete port")
	})

	step("deploy to active, undeploy to available", func() {
		provision(uuids[0], nodes.TargetActive, "active")
		provision(uuids[0], nodes.TargetDeleted, "available")
	})

	step("delete nodes", func() {
		for _, uuid := range uuids {
			must(nodes.Delete(client, uuid).ExtractErr(), "delete node "+uuid)
		}
		_, err := nodes.Get(client, uuids[0]).Extract()
		if _, ok := err.(gophercloud.ErrDefault404); !ok {
			fail("a deleted node: want a 404, got %v", err)
		}
	})
}
