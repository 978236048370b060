package sc.fiji.stylecrafter.video;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/** The video files we write, told apart by their extension, with FFmpeg's container and encoder for each. */
public enum VideoFormat {

	/** H.264 in MP4, by Cisco's openh264 (the LGPL FFmpeg build has no libx264). */
	MP4("mp4", "mp4", "libopenh264"),
	/** VP9 in WebM, by libvpx. */
	WEBM("webm", "webm", "libvpx-vp9"),
	/** Animated GIF, by FFmpeg's own encoder, with one 256-colour palette for the whole clip. */
	GIF("gif", "gif", "gif");

	/** The extensions read as style references (FFmpeg reads many more; these are the ones we promise). */
	public static final java.util.List<String> READABLE = java.util.List.of("mp4", "m4v", "mov", "avi", "webm", "mkv", "gif");

	private final String extension;
	private final String container;
	private final String encoder;

	VideoFormat(String extension, String container, String encoder) {
		this.extension = extension;
		this.container = container;
		this.encoder = encoder;
	}

	public String extension() {
		return extension;
	}

	String container() {
		return container;
	}

	String encoder() {
		return encoder;
	}

	/** The format a file name asks for, if it is one of ours. */
	public static Optional<VideoFormat> of(Path file) {
		String ext = extension(file);
		for (VideoFormat f : values()) if (f.extension.equals(ext)) return Optional.of(f);
		return Optional.empty();
	}

	/** True if the file name looks like a video we read (a style reference). */
	public static boolean isReadable(Path file) {
		return READABLE.contains(extension(file));
	}

	static String extension(Path file) {
		Path name = file.getFileName();
		if (name == null) return "";
		String n = name.toString().toLowerCase(Locale.ROOT);
		int dot = n.lastIndexOf('.');
		return dot < 0 ? "" : n.substring(dot + 1);
	}
}
