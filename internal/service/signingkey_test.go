package service_test

import (
	"sync"
	"testing"
	"time"

	"github.com/vulndesk/vulndesk/internal/model"
	"github.com/vulndesk/vulndesk/internal/pgpkey"
	"github.com/vulndesk/vulndesk/internal/service"
	"github.com/vulndesk/vulndesk/internal/store"
	"github.com/vulndesk/vulndesk/internal/store/storetest"
)

// TestSigningKeySharedByReplicas: without a key file, replicas over one
// database that first need the key at the same moment end up with one
// key, kept in the database (on PostgreSQL the replicas are two stores);
// a key file replaces it.
func TestSigningKeySharedByReplicas(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			cfg := e.Config(t)
			var replicas []*service.Service
			for range 2 {
				st, err := store.Open(ctx, cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				for range 2 {
					replicas = append(replicas, service.New(st, nil))
				}
			}
			fprs := make([]string, len(replicas))
			var wg sync.WaitGroup
			for i, svc := range replicas {
				wg.Go(func() {
					k, err := svc.SigningKey(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					fprs[i] = k.Fingerprint()
				})
			}
			wg.Wait()
			for _, f := range fprs[1:] {
				if f != fprs[0] || f == "" {
					t.Fatalf("replicas sign with different keys: %v", fprs)
				}
			}
			st, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			kept, _, err := st.OpenPGPKey(ctx)
			if err != nil || kept != fprs[0] {
				t.Fatalf("the key kept: %q, %v; replicas use %s", kept, err, fprs[0])
			}
			// A key file wins over the kept key.
			file, _, err := pgpkey.Generate("Example Org", "", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			svc := service.New(st, nil)
			svc.Signing.File = file
			got, err := svc.SigningKey(ctx)
			if err != nil || got.Fingerprint() != file.Fingerprint() {
				t.Fatalf("with a key file: %v, %v", got, err)
			}
		})
	}
}

// TestSignatureFollowsKey: a published file's kept signature is served
// while the key is the one that made it; once another key signs (a key
// file configured later), the file is signed again with it.
func TestSignatureFollowsKey(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, storetest.Engines(t)[0].Config(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := service.New(st, nil)
	asset, err := svc.CreateAsset(ctx, model.Asset{Name: "shop"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.CreateSecAdvisory(ctx, model.SecurityAdvisory{Title: "t", Summary: "s",
		Products:        []model.SecAdvProduct{{AssetID: asset.ID, Affected: "<2", Fixed: "2"}},
		Vulnerabilities: []model.SecAdvVuln{{Title: "v", Description: "d", Remediation: "update"}}}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitSecAdvisory(ctx, a.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PublishSecAdvisory(ctx, a.ID, service.CSAFSite{Base: "https://vd.example"}, "bob"); err != nil {
		t.Fatal(err)
	}
	f, err := st.SecAdvFile(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := svc.SigningKey(ctx)
	sig, err := svc.SignatureOf(ctx, f)
	if err != nil || string(sig) != f.Signature || pgpkey.Verify(first.PublicArmored(), f.CSAF, sig) != nil {
		t.Fatalf("the kept signature: %v", err)
	}
	file, _, err := pgpkey.Generate("Example Org", "", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc.Signing.File = file
	sig, err = svc.SignatureOf(ctx, f)
	if err != nil || pgpkey.Verify(file.PublicArmored(), f.CSAF, sig) != nil {
		t.Fatalf("signed again with the key file: %v", err)
	}
}

// TestSigningKeyOrganisationName: an organisation whose name holds what
// an OpenPGP user ID's name may not ("ACME (Europe) <ops>") still gets a
// generated key (before, go-crypto refused it and every signed file
// answered 500); the key's name is the organisation without those.
func TestSigningKeyOrganisationName(t *testing.T) {
	e := storetest.Engines(t)[0]
	ctx := t.Context()
	st, err := store.Open(ctx, e.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := service.New(st, nil)
	org := `ACME (Europe) <script>"x"</script>`
	if _, err := svc.UpdateDisclosure(ctx, "admin", model.DisclosurePatch{Organisation: &org}); err != nil {
		t.Fatal(err)
	}
	k, err := svc.SigningKey(ctx)
	if err != nil {
		t.Fatalf("a key for %q: %v", org, err)
	}
	for name := range k.Entity.Identities {
		if name != `ACME Europe script"x"/script (CSAF and security.txt signing key)` {
			t.Errorf("the key's user ID %q", name)
		}
	}
}
