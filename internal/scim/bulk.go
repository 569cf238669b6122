package scim

// MaxBulkOperations is the most operations one Bulk request may hold.
const MaxBulkOperations = 1000

func (h *handler) bulk(c *call) error {
	return errorf(501, "", "bulk is not served yet")
}
