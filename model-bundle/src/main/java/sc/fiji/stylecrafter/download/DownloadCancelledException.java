package sc.fiji.stylecrafter.download;

/** A download stopped by its user; what was fetched stays in the {@code .part} file for the next attempt. */
public class DownloadCancelledException extends ModelSetupException {

	private static final long serialVersionUID = 1L;

	public DownloadCancelledException(String message) {
		super(message);
	}
}
