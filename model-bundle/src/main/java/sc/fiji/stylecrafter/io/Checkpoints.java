package sc.fiji.stylecrafter.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opens a weight file of any supported format, told apart by its first bytes, not its name. */
public final class Checkpoints {

	private Checkpoints() {}

	/** Opens every tensor of the file. */
	public static Checkpoint open(Path path) throws IOException {
		return open(path, "");
	}

	/**
	 * Opens the file, listing only tensors under {@code prefix} (for a {@code torch.save} file, unknown objects
	 * elsewhere are then tolerated).
	 *
	 * @throws NoSuchFileException if there is no such file
	 * @throws CheckpointFormatException if the file is not a readable weight file; the message says why and, for the
	 *           legacy PyTorch format, how to convert it
	 */
	public static Checkpoint open(Path path, String prefix) throws IOException {
		if (!Files.exists(path)) throw new NoSuchFileException(path.toString(), null, "no such weight file");
		if (Files.isDirectory(path)) throw new CheckpointFormatException(path + " is a folder, not a weight file");
		if (!Files.isReadable(path)) throw new CheckpointFormatException(path + " is not readable (check its permissions)");
		byte[] head = new byte[512];
		int n;
		try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
			ByteBuffer b = ByteBuffer.wrap(head);
			while (b.hasRemaining() && ch.read(b) > 0) {
				// fill
			}
			n = b.position();
		}
		if (n == 0) throw new CheckpointFormatException(path + " is empty");
		if (n >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return TorchCheckpoint.open(path, prefix);
		if (n >= 2 && (head[0] & 0xFF) == 0x80 && head[1] >= 2 && head[1] <= 5 || n > 262 && new String(head, 257, 5, java.nio.charset.StandardCharsets.US_ASCII).equals("ustar")) {
			throw new CheckpointFormatException(path + " is in PyTorch's legacy (pre-1.6) torch.save format, which is not supported. Re-save it with "
				+ "PyTorch 1.6 or later: python -c \"import torch; torch.save(torch.load('OLD', map_location='cpu'), 'NEW')\"");
		}
		if (n >= 9 && head[8] == '{') {
			Checkpoint c = SafetensorsFile.open(path);
			if (prefix.isEmpty()) return c;
			return new FilteredCheckpoint(c, prefix);
		}
		throw new CheckpointFormatException(path + " is neither a PyTorch checkpoint (zip) nor a safetensors file (first bytes "
			+ String.format("%02x %02x %02x %02x", head[0], n > 1 ? head[1] : 0, n > 2 ? head[2] : 0, n > 3 ? head[3] : 0) + ")");
	}

	/** A view of another checkpoint restricted to a prefix. */
	private record FilteredCheckpoint(Checkpoint inner, String prefix) implements Checkpoint {

		@Override
		public Path path() {
			return inner.path();
		}

		@Override
		public java.util.SortedMap<String, StoredTensor> tensors() {
			return inner.tensors(prefix);
		}

		@Override
		public void close() throws IOException {
			inner.close();
		}
	}
}
