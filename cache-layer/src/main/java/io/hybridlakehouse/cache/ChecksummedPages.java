package io.hybridlakehouse.cache;

import alluxio.client.file.CacheContext;
import alluxio.client.file.cache.CacheManager;
import alluxio.client.file.cache.CacheUsage;
import alluxio.client.file.cache.PageId;
import alluxio.client.file.cache.PageInfo;
import alluxio.file.ByteArrayTargetBuffer;
import alluxio.file.ReadTargetBuffer;
import alluxio.network.protocol.databuffer.DataFileChannel;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/**
 * The pages of one cached file, each stored in chunks that carry their own CRC32C, verified
 * on every read. Alluxio's page store returns whatever bytes the page file holds: without
 * this, a page damaged on disk (same length, other bytes) would reach the Parquet reader,
 * which checks no checksums. A page that fails verification is dropped and reported as a
 * miss, so the read goes to storage and fills the page again.
 * <p>
 * A page is stored as its chunks of {@link #CHUNK_BYTES} (the last one shorter), each
 * followed by its checksum, so a read takes from the page file only the chunks it covers and
 * verifies just those: a read that asks for part of a page (a footer, a column chunk starting
 * or ending mid-page) would otherwise take and checksum the whole page from its start. Every
 * byte returned is still verified.
 * <p>
 * Pages are whole: Trino's Alluxio input only puts full pages, or the file's last one, so
 * a page's length follows from the file length and the page size.
 */
final class ChecksummedPages
        implements CacheManager
{
    /**
     * Names the stored layout of a page; part of every page's cache identifier, so pages
     * written in another layout by an earlier version are never read, only aged out.
     */
    static final String LAYOUT = "crc32c-per-32KiB-chunk";
    static final int CHUNK_BYTES = 32 * 1024;
    private static final int CHECKSUM_BYTES = Integer.BYTES;

    private final CacheManager delegate;
    private final long fileLength;
    private final long pageSize;
    private final int chunkSize;
    private final ThreadLocal<byte[]> scratch;
    private final Runnable corruptPageListener;

    /**
     * @param scratch per thread, at least {@link #storedLength} of a whole page long
     */
    ChecksummedPages(CacheManager delegate, long fileLength, long pageSize, int chunkSize, ThreadLocal<byte[]> scratch, Runnable corruptPageListener)
    {
        checkArgument(chunkSize > 0, "chunkSize must be positive");
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.fileLength = fileLength;
        this.pageSize = pageSize;
        this.chunkSize = chunkSize;
        this.scratch = requireNonNull(scratch, "scratch is null");
        this.corruptPageListener = requireNonNull(corruptPageListener, "corruptPageListener is null");
    }

    @Override
    public boolean put(PageId pageId, ByteBuffer page, CacheContext cacheContext)
    {
        int length = page.remaining();
        if (length != pageLength(pageId)) {
            // not a whole page: it could not be verified later
            return false;
        }
        ByteBuffer stored = ByteBuffer.allocate(storedLength(length, chunkSize));
        int start = page.position();
        for (int chunkStart = 0; chunkStart < length; chunkStart += chunkSize) {
            ByteBuffer chunk = page.slice(start + chunkStart, Math.min(chunkSize, length - chunkStart));
            CRC32C crc = new CRC32C();
            crc.update(chunk.duplicate());
            stored.put(chunk);
            stored.putInt((int) crc.getValue());
        }
        stored.flip();
        return delegate.put(pageId, stored, cacheContext);
    }

    @Override
    public int get(PageId pageId, int pageOffset, int bytesToRead, ReadTargetBuffer buffer, CacheContext cacheContext)
    {
        int length = pageLength(pageId);
        if (length <= 0 || pageOffset + bytesToRead > length) {
            return -1;
        }
        if (bytesToRead == 0) {
            return 0;
        }
        // the chunks holding the bytes asked for, read together with their checksums
        int firstChunk = pageOffset / chunkSize;
        int lastChunk = (pageOffset + bytesToRead - 1) / chunkSize;
        int storedChunk = chunkSize + CHECKSUM_BYTES;
        int storedStart = firstChunk * storedChunk;
        int storedEnd = Math.min((lastChunk + 1) * storedChunk, storedLength(length, chunkSize));
        byte[] stored = scratch.get();
        int read = delegate.get(pageId, storedStart, storedEnd - storedStart, new ByteArrayTargetBuffer(stored, 0), cacheContext);
        if (read <= 0) {
            return read;
        }
        if (read != storedEnd - storedStart || !chunksVerify(stored, read)) {
            delegate.delete(pageId);
            corruptPageListener.run();
            return -1;
        }
        int position = pageOffset;
        int end = pageOffset + bytesToRead;
        while (position < end) {
            int chunk = position / chunkSize;
            int offsetInChunk = position % chunkSize;
            int count = Math.min(chunkSize - offsetInChunk, end - position);
            buffer.writeBytes(stored, (chunk - firstChunk) * storedChunk + offsetInChunk, count);
            position += count;
        }
        return bytesToRead;
    }

    private boolean chunksVerify(byte[] stored, int length)
    {
        for (int chunkStart = 0; chunkStart < length; chunkStart += chunkSize + CHECKSUM_BYTES) {
            int dataLength = Math.min(chunkSize, length - chunkStart - CHECKSUM_BYTES);
            if (dataLength <= 0 || checksum(stored, chunkStart, dataLength) != ByteBuffer.wrap(stored, chunkStart + dataLength, CHECKSUM_BYTES).getInt()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int getAndLoad(PageId pageId, int pageOffset, int bytesToRead, ReadTargetBuffer buffer, CacheContext cacheContext, Supplier<byte[]> externalDataSupplier)
    {
        int read = get(pageId, pageOffset, bytesToRead, buffer, cacheContext);
        if (read > 0) {
            return read;
        }
        byte[] page = externalDataSupplier.get();
        put(pageId, ByteBuffer.wrap(page), cacheContext);
        buffer.writeBytes(page, pageOffset, bytesToRead);
        return bytesToRead;
    }

    @Override
    public boolean append(PageId pageId, int appendAt, byte[] page, CacheContext cacheContext)
    {
        // a page grown in place would have no valid trailer
        return false;
    }

    @Override
    public Optional<DataFileChannel> getDataFileChannel(PageId pageId, int pageOffset, int bytesToRead, CacheContext cacheContext)
    {
        // a channel would bypass verification
        return Optional.empty();
    }

    @Override
    public void deleteFile(String fileId)
    {
        delegate.deleteFile(fileId);
    }

    @Override
    public void deleteTempFile(String fileId)
    {
        delegate.deleteTempFile(fileId);
    }

    @Override
    public boolean delete(PageId pageId)
    {
        return delegate.delete(pageId);
    }

    @Override
    public State state()
    {
        return delegate.state();
    }

    @Override
    public boolean hasPageUnsafe(PageId pageId)
    {
        return delegate.hasPageUnsafe(pageId);
    }

    @Override
    public void invalidate(Predicate<PageInfo> predicate)
    {
        delegate.invalidate(predicate);
    }

    @Override
    public Optional<CacheUsage> getUsage()
    {
        return delegate.getUsage();
    }

    @Override
    public void commitFile(String fileId)
    {
        delegate.commitFile(fileId);
    }

    @Override
    public void close()
    {
        // the cache manager is shared by all files; its owner closes it
    }

    private int pageLength(PageId pageId)
    {
        return (int) Math.min(pageSize, fileLength - pageId.getPageIndex() * pageSize);
    }

    /**
     * Bytes a page of the given length takes in the page store: its data and a checksum per chunk.
     */
    static int storedLength(long pageLength, int chunkSize)
    {
        return Math.toIntExact(pageLength + (pageLength + chunkSize - 1) / chunkSize * CHECKSUM_BYTES);
    }

    private static int checksum(byte[] bytes, int offset, int length)
    {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
