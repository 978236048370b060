package sc.fiji.stylecrafter.engine.install;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One libtorch build as PyTorch publishes it: a zip holding {@code libtorch/lib/} (libtorch and, for CUDA builds, the
 * CUDA, cuDNN and cuBLAS libraries it was built with) and {@code libtorch/build-version}. The GPU runtime installs the
 * {@code lib} folder of such a zip.
 *
 * @param classifier the platform in DJL's words ({@code linux-x86_64}, {@code win-x86_64})
 * @param version the libtorch version ({@code 2.7.1}; it must be the one DJL's JNI of this build was made for)
 * @param flavor {@code cu128}, {@code cpu}
 * @param fileName the zip's name
 * @param uri where it is downloaded from
 * @param bytes its size, or 0 when not pinned (then the server's word is taken, and the SHA-256 still decides)
 * @param sha256 its SHA-256, lower-case hex
 */
public record LibtorchArchive(String classifier, String version, String flavor, String fileName, URI uri, long bytes, String sha256) {

	/** The libtorch version DJL 0.36's JNI (pytorch-jni 2.7.1-0.36.0) was built for. */
	public static final String LIBTORCH_VERSION = "2.7.1";
	/** The CUDA flavour DJL ships a JNI for with that version. */
	public static final String CUDA_FLAVOR = "cu128";
	/** The oldest driver CUDA version a cu128 build runs with (driver API number; driver 570 or newer). */
	public static final int MIN_DRIVER_CUDA = 12080;
	/** The lowest compute capability (times ten) used: Turing (7.5) and newer have the tensor cores float16 needs. */
	public static final int MIN_CAPABILITY = 75;

	public LibtorchArchive {
		if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException(fileName + ": '" + sha256 + "' is not a SHA-256 in lower-case hex");
		if (bytes < 0) throw new IllegalArgumentException(fileName + ": negative size");
	}

	/**
	 * PyTorch's official libtorch 2.7.1 + CUDA 12.8 zips. PyTorch publishes no checksums: these digests are of the
	 * files as downloaded, recorded by other projects that pin the same zips (two agree on the Linux one); the Windows
	 * size is recorded the same way. A zip that does not match is never unpacked.
	 */
	public static final List<LibtorchArchive> OFFICIAL = List.of(
		new LibtorchArchive("linux-x86_64", LIBTORCH_VERSION, CUDA_FLAVOR, "libtorch-cxx11-abi-shared-with-deps-2.7.1+cu128.zip",
			URI.create("https://download.pytorch.org/libtorch/cu128/libtorch-cxx11-abi-shared-with-deps-2.7.1%2Bcu128.zip"), 0,
			"ae513b437ae99150744ef1d06b02a4ecbbb9275c9ffe540c88909623e3293041"),
		new LibtorchArchive("win-x86_64", LIBTORCH_VERSION, CUDA_FLAVOR, "libtorch-win-shared-with-deps-2.7.1+cu128.zip",
			URI.create("https://download.pytorch.org/libtorch/cu128/libtorch-win-shared-with-deps-2.7.1%2Bcu128.zip"), 3_214_239_381L,
			"bdbf643d648e2bf9e8603472d6c6ff4bae5f79a49fe4776f215b4c45c90a7f19"));

	/** The archive for a platform among {@code archives}. */
	public static Optional<LibtorchArchive> forPlatform(List<LibtorchArchive> archives, String classifier) {
		return archives.stream().filter(a -> a.classifier().equals(classifier)).findFirst();
	}

	/** This machine's platform in DJL's words: {@code linux-x86_64}, {@code win-x86_64}, {@code osx-aarch64}, ... */
	public static String currentClassifier() {
		String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
		String o = os.startsWith("win") ? "win" : os.startsWith("mac") || os.contains("darwin") ? "osx" : "linux";
		String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
		return o + "-" + a;
	}

	/** The platforms the official CUDA runtime exists for, in a user's words. */
	public static String platformsText(List<LibtorchArchive> archives) {
		return String.join(", ", archives.stream().map(LibtorchArchive::classifier).toList());
	}
}
