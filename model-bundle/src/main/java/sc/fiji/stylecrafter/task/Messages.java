package sc.fiji.stylecrafter.task;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A failure as a sentence a user can act on. Java's file exceptions carry only a path as their message
 * ({@code NoSuchFileException: /data/list.json}); here they say what is wrong with it.
 */
public final class Messages {

	private Messages() {}

	/** {@code /data/list.json does not exist}, {@code /out: permission denied (check its permissions)}, or the message. */
	public static String of(Throwable e) {
		if (e instanceof FileSystemException f && f.getFile() != null) {
			String file = f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
			String why = f.getReason() == null ? "" : " (" + f.getReason() + ")";
			if (e instanceof NoSuchFileException) return file + " does not exist" + why;
			if (e instanceof AccessDeniedException) return file + ": permission denied" + why + "; check its permissions";
			if (e instanceof FileAlreadyExistsException) return file + " already exists" + why;
			if (e instanceof NotDirectoryException) return file + " is not a folder" + why;
			if (e instanceof DirectoryNotEmptyException) return file + " is a folder that is not empty" + why;
			return file + ": " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
		}
		if (e.getMessage() == null || e.getMessage().isBlank()) return e.getClass().getSimpleName() + (e.getCause() != null ? ": " + of(e.getCause()) : "");
		return e.getMessage();
	}
}
