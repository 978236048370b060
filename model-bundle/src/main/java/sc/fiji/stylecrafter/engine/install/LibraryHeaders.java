package sc.fiji.stylecrafter.engine.install;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A cheap look at the shared libraries of a libtorch {@code lib} folder, without loading them: each must be a library
 * of this platform (ELF, PE or Mach-O, 64-bit, for this processor). It catches a damaged copy, a link placeholder and a
 * libtorch for another system or processor in milliseconds, before DJL's engine is created (a library DJL cannot load
 * fails the whole engine, and a process cannot load another libtorch afterwards). Whether the libraries load together
 * is for {@link LoadCheck} to find out.
 */
public final class LibraryHeaders {

	private static final int ELF_X86_64 = 62, ELF_AARCH64 = 183;
	private static final int PE_AMD64 = 0x8664, PE_ARM64 = 0xaa64;
	private static final int MACHO_X86_64 = 0x01000007, MACHO_ARM64 = 0x0100000c;

	private LibraryHeaders() {}

	/** Why a shared library of {@code lib} is not one for {@code classifier} ({@code linux-x86_64}), or {@code null} when all look right. */
	public static String problem(Path lib, String classifier) throws IOException {
		try (Stream<Path> s = Files.list(lib)) {
			for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
				if (!RuntimeInstaller.isSharedLibraryName(f.getFileName().toString())) continue;
				String why = fileProblem(f, classifier);
				if (why != null) return f.getFileName() + " " + why;
			}
		}
		return null;
	}

	/** Why one file is not a shared library for {@code classifier}, or {@code null}. */
	static String fileProblem(Path f, String classifier) throws IOException {
		byte[] h = new byte[4096];
		int n;
		try (InputStream in = Files.newInputStream(f)) {
			n = in.readNBytes(h, 0, h.length);
		}
		ByteBuffer le = ByteBuffer.wrap(h, 0, n).order(ByteOrder.LITTLE_ENDIAN);
		String arch = classifier.substring(classifier.indexOf('-') + 1);
		String os = classifier.substring(0, classifier.indexOf('-'));
		if (n >= 20 && h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F') {
			if (h[4] != 2 || h[5] != 1) return "is a 32-bit or big-endian ELF library (class " + h[4] + ", data " + h[5] + "), not one for " + classifier;
			int machine = le.getShort(18) & 0xffff;
			String is = machine == ELF_X86_64 ? "x86_64" : machine == ELF_AARCH64 ? "aarch64" : "ELF machine " + machine;
			if (!os.equals("linux")) return "is a Linux (ELF) library for " + is + ", not one for " + classifier;
			if (!is.equals(arch)) return "is a library for " + is + " (ELF machine " + machine + "), not for this " + arch + " processor";
			return null;
		}
		if (n >= 64 && h[0] == 'M' && h[1] == 'Z') {
			int pe = le.getInt(0x3c);
			if (pe < 0 || pe + 6 > n || h[pe] != 'P' || h[pe + 1] != 'E' || h[pe + 2] != 0 || h[pe + 3] != 0) return "starts as a Windows file but has no PE header";
			int machine = le.getShort(pe + 4) & 0xffff;
			String is = machine == PE_AMD64 ? "x86_64" : machine == PE_ARM64 ? "aarch64" : String.format(Locale.ROOT, "PE machine 0x%04x", machine);
			if (!os.equals("win")) return "is a Windows (PE) library for " + is + ", not one for " + classifier;
			if (!is.equals(arch)) return "is a library for " + is + ", not for this " + arch + " processor";
			return null;
		}
		int magic = n >= 8 ? le.getInt(0) : 0;
		if (magic == 0xfeedfacf) {
			int cpu = le.getInt(4);
			String is = cpu == MACHO_X86_64 ? "x86_64" : cpu == MACHO_ARM64 ? "aarch64" : String.format(Locale.ROOT, "Mach-O CPU 0x%08x", cpu);
			if (!os.equals("osx")) return "is a macOS (Mach-O) library for " + is + ", not one for " + classifier;
			if (!is.equals(arch)) return "is a library for " + is + ", not for this " + arch + " processor";
			return null;
		}
		if (n >= 4 && (h[0] & 0xff) == 0xca && (h[1] & 0xff) == 0xfe && (h[2] & 0xff) == 0xba && (h[3] & 0xff) == 0xbe) {
			return os.equals("osx") ? null : "is a macOS universal library, not one for " + classifier;
		}
		return "is not a shared library (damaged, or a link the copy did not follow)";
	}
}
