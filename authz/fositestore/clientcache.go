package fositestore

import (
	"sync"
	"time"
)

// clientCacheTTL bounds how long a node may use a client it loaded: a
// deleted client, or a changed secret or redirect URI, takes effect on every
// node within this time. One second keeps the token endpoint at one query
// per request under load while staying effectively consistent.
const clientCacheTTL = time.Second

// clientCacheMax bounds memory; past it the cache starts over.
const clientCacheMax = 10_000

type cachedClient struct {
	client  *Client
	expires time.Time
}

// clientCache is a small process-local cache of clients by id.
type clientCache struct {
	mu      sync.Mutex
	clients map[string]cachedClient
	now     func() time.Time
}

func newClientCache(now func() time.Time) *clientCache {
	return &clientCache{clients: map[string]cachedClient{}, now: now}
}

func (c *clientCache) get(id string) *Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.clients[id]
	if !ok || !c.now().Before(e.expires) {
		return nil
	}
	return e.client
}

func (c *clientCache) put(id string, client *Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.clients) >= clientCacheMax {
		c.clients = map[string]cachedClient{}
	}
	c.clients[id] = cachedClient{client: client, expires: c.now().Add(clientCacheTTL)}
}
