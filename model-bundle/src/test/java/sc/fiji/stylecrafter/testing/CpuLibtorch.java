package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Random;

/**
 * The CPU libtorch of the {@code pytorch-native-cpu} jar on the test class path, laid out as PyTorch's zips have it
 * ({@code libtorch/lib/*}, {@code libtorch/build-version}), and ways to break a copy of it: a library that is an ELF
 * header followed by junk, or one whose header names another processor.
 */
public final class CpuLibtorch {

	/** ELF {@code e_machine} of 64-bit ARM. */
	public static final int ELF_AARCH64 = 183;

	private CpuLibtorch() {}

	/** Unpacks the jar's CPU libtorch into {@code dir/libtorch}; returns that folder. */
	public static Path unpack(Path dir) throws IOException {
		Properties p = new Properties();
		try (InputStream in = CpuLibtorch.class.getResourceAsStream("/native/lib/pytorch.properties")) {
			if (in == null) throw new IOException("pytorch-native-cpu is not on the class path");
			p.load(in);
		}
		Path home = dir.resolve("libtorch");
		Files.createDirectories(home.resolve("lib"));
		for (String f : p.getProperty("libraries").split(",")) {
			String resource = "/pytorch/" + p.getProperty("flavor") + "/" + p.getProperty("classifier") + "/" + f; // as pytorch-native-cpu 2.7.1 lays them out
			try (InputStream in = CpuLibtorch.class.getResourceAsStream(resource)) {
				if (in == null) throw new IOException(resource + " is not on the class path");
				Files.copy(in, home.resolve("lib").resolve(f));
			}
		}
		String version = p.getProperty("version").split("-")[0];
		Files.writeString(home.resolve("build-version"), version + "+" + p.getProperty("flavor") + "\n", StandardCharsets.US_ASCII);
		return home;
	}

	/** Keeps the first 64 bytes (the ELF header) of {@code lib} and fills the rest with random bytes; the size stays. */
	public static void junkAfterHeader(Path lib) throws IOException {
		byte[] b = Files.readAllBytes(lib);
		byte[] junk = new byte[b.length - 64];
		new Random(3).nextBytes(junk);
		System.arraycopy(junk, 0, b, 64, junk.length);
		Files.write(lib, b);
	}

	/** Sets the ELF {@code e_machine} field (offset 18, little-endian) of {@code lib}, as if built for another processor. */
	public static void setElfMachine(Path lib, int machine) throws IOException {
		try (RandomAccessFile f = new RandomAccessFile(lib.toFile(), "rw")) {
			f.seek(18);
			f.write(machine & 0xff);
			f.write(machine >>> 8);
		}
	}
}
