"""Media: the content-addressed library, image and sound cleaning, probing."""
