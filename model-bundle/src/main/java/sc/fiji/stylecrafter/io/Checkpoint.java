package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SortedMap;

/**
 * An open weight file seen as a flat, sorted {@code key -> tensor} map. Nested containers are flattened by joining
 * keys with {@code .} (a Lightning checkpoint's weights list as {@code state_dict.<key>}); entries that are not tensors
 * are left out. Tensors are read lazily from the memory-mapped file and stay readable until {@link #close()}.
 */
public interface Checkpoint extends AutoCloseable {

	Path path();

	/** Every tensor of the file, sorted by key. */
	SortedMap<String, StoredTensor> tensors();

	/** The tensors under {@code prefix} (keys equal to it or starting with {@code prefix.}), keys unchanged. */
	default SortedMap<String, StoredTensor> tensors(String prefix) {
		return TensorMaps.underPrefix(tensors(), prefix);
	}

	@Override
	void close() throws IOException;
}
