"""File infrastructure: storage backends, the tus protocol core, images, signed links."""
